#!/usr/bin/env bash
# Regenerates the README's images in docs/ from the current code: the fan
# chart and the report of truce90, and the tornado and Sobol' charts of
# examples/sweep-truce90.yaml at the sizes the README states. Needs
# chromium for the report's screenshot. About 3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/reesim" ./cmd/reesim
r="$tmp/reesim"

"$r" run truce90 -q --out "$tmp/run" --report --per-trial --sensitivity >/dev/null
cp "$tmp/run/fan-dy.png" docs/fan-chart-dy.png
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1800 \
	--screenshot="$tmp/report.png" "file://$tmp/run/report.html" 2>/dev/null
cp "$tmp/report.png" docs/report.png

# The README's tornado: one-at-a-time swings, 1,000 trials a point.
sed 's/^design: sobol/design: oat/' examples/sweep-truce90.yaml >"$tmp/oat.yaml"
"$r" sweep "$tmp/oat.yaml" -q --out "$tmp/oat" >/dev/null
cp "$tmp/oat/tornado-dy-shortfall_frac-mean-all.png" docs/sweep-tornado-dy.png
# The README's Sobol' indices: a quick look, 64 base samples x 200 trials.
"$r" sweep examples/sweep-truce90.yaml -q --samples 64 --trials 200 --out "$tmp/sobol" >/dev/null 2>"$tmp/sobol.err" || { cat "$tmp/sobol.err"; exit 1; }
cp "$tmp/sobol/sobol-dy-shortfall_frac-mean-all.png" docs/sweep-sobol-dy.png
echo "regenerated docs/fan-chart-dy.png docs/report.png docs/sweep-tornado-dy.png docs/sweep-sobol-dy.png"
