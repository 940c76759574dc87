#!/usr/bin/env bash
# Measures how `reesim run truce90` scales with workers: trials/s for
# 1, 2, 4, 8 and 16 workers (2,048 trials per worker, three repetitions
# after a warm-up). Usage: scripts/scaling.sh [path/to/reesim] [max workers]
set -u
bin=${1:-reesim}
maxw=${2:-16}
"$bin" run truce90 -n 2048 -w "$maxw" -q >/dev/null
for rep in 1 2 3; do
  for w in 1 2 4 8 16; do
    ((w > maxw)) && continue
    n=$((2048 * w))
    echo "rep=$rep workers=$w trials=$n :: $("$bin" run truce90 -n $n -w $w --seed 1 -q | head -n 1)"
  done
done
