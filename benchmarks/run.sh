#!/usr/bin/env bash
# Benchmark: generates large realistic exports and measures the release build end to end.
#
#   benchmarks/run.sh [SIZE_MB ...]      (default: 10 100 1000)
#
# For each size: generates benchmarks/data/SIZE/ once (make_large.py: a national roll-up with an
# attendance export of about SIZE MB), runs `impact run` under /usr/bin/time -v, and prints wall
# time, throughput (MB/s of input, records/s) and peak RSS. Needs python3 and /usr/bin/time (Debian: time).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000)
command -v /usr/bin/time >/dev/null || { apt-get update && apt-get install -y time; }

swift build -c release --product impact >/dev/null
bin="$PWD/.build/release/impact"

printf '| input (MB) | records | wall (s) | MB/s | records/s | peak RSS (MB) | exit |\n|---:|---:|---:|---:|---:|---:|---:|\n'
for size in "${sizes[@]}"; do
  dir="benchmarks/data/$size"
  if [ ! -f "$dir/pipeline.yml" ]; then python3 benchmarks/make_large.py "$dir" "$size" >/dev/null; fi
  rm -rf "$dir/out"
  set +e
  ( cd "$dir" && /usr/bin/time -v "$bin" run --quiet pipeline.yml ) 2>"$dir/time.txt"
  code=$?
  set -e
  python3 - "$dir" "$code" <<'PY'
import json, re, sys, pathlib
d, code = pathlib.Path(sys.argv[1]), sys.argv[2]
t = (d / "time.txt").read_text()
wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0].split(":")
seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
m = json.loads((d / "out" / "manifest.json").read_text())
size = sum(i["size"] for i in m["inputs"]) / 1e6
records = sum(s["read"] for s in m["sources"])
print(f"| {size:,.0f} | {records:,} | {seconds:.2f} | {size / seconds:.1f} | {records / seconds:,.0f} | {rss:.0f} | {code} |")
PY
done
