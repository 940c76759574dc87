#!/usr/bin/env bash
# Is a shortfall in parallel efficiency the program or the machine? Runs one
# process with 1 worker, one with 16 workers, then 16 single-worker
# processes at once. Usage: scripts/scaling-diag.sh [path/to/reesim]
set -u
bin=${1:-reesim}
lscpu | grep -E "Thread\(s\) per core|Core\(s\) per socket|Socket\(s\)" || true
"$bin" run truce90 -n 2048 -w 16 -q >/dev/null
echo "one process, 1 worker:   $("$bin" run truce90 -n 2048 -w 1 -q | head -n 1)"
echo "one process, 16 workers: $("$bin" run truce90 -n 32768 -w 16 -q | head -n 1)"
tmp=$(mktemp -d)
for i in $(seq 16); do "$bin" run truce90 -n 2048 -w 1 --seed "$i" -q | head -n 1 >"$tmp/$i" & done
wait
echo "16 processes x 1 worker, each:"
cat "$tmp"/* | sed 's/^/  /'
rm -rf "$tmp"
