#!/usr/bin/env bash
# Interleaved wall-time benchmark of sim test binaries, for benchstat:
#
#   git worktree add /tmp/old OLD && (cd /tmp/old && go test -c -o /tmp/old.test ./sim)
#   go test -c -o /tmp/new.test ./sim
#   scripts/bench-ab.sh 10 old:/tmp/old.test:/tmp/old/sim new:/tmp/new.test:$PWD/sim
#   benchstat /tmp/bench-old.txt /tmp/bench-new.txt
#
# Each NAME:BINARY:DIR runs BenchmarkTruce90/workers=1 once per round in
# DIR (its sim directory, for the scenario files), N rounds in turn, so
# that the machine's drift falls on every binary alike. BENCH overrides
# the benchmark pattern.
set -euo pipefail
n=$1
shift
bench=${BENCH:-Truce90/workers=1}
for _ in $(seq "$n"); do
	for spec in "$@"; do
		IFS=: read -r name bin dir <<<"$spec"
		(cd "$dir" && "$bin" -test.run '^$' -test.bench "$bench" -test.benchtime 1x | grep '^Benchmark' >>"/tmp/bench-$name.txt")
	done
done
