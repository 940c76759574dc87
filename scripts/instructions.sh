#!/usr/bin/env bash
# Instructions executed by a fixed piece of work, deterministic to about
# five digits where wall time drifts by 10-20 %: BenchmarkTrial for 100
# trials after its warm-up, on one thread with the GC off, under
# cachegrind. Usage: scripts/instructions.sh SIM.TEST SIM-DIR
set -euo pipefail
cd "$2"
GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
	"$1" -test.run '^$' -test.bench 'BenchmarkTrial$' -test.benchtime 100x -test.cpu 1 2>&1 |
	awk '/I[ ]+refs/ {print $NF}'
