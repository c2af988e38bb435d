#!/usr/bin/env bash
# The benchmark of issue 8: impact (release build) against the same computation in pandas and polars.
#
#   benchmarks/bench.sh [--5gb] [SIZE_MB ...]        (default sizes: 10 100 1000; --5gb adds 5000)
#
# For each size: generates benchmarks/data/national-SIZE/ once (make_national.py: actions CSV in
# Windows-1252, attendance CSV, partner XML, SpreadsheetML and ODK survey answers), then measures
# under /usr/bin/time -v: `impact run` end to end, with its per-stage times from --log-format json
# (CSV ingest, XML ingest, indicators, writing), and reference.py with pandas and with polars
# (installed from PyPI into benchmarks/.venv). The reference figures must equal impact's published
# reach rows (compare.py), else the script fails. Also times `xmllint --stream` on the partner XML
# file (the yardstick of the XML ingest). Prints one Markdown table, then the peak-memory ratio
# between the largest size and 100 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=()
for a in "$@"; do
  if [ "$a" = "--5gb" ]; then sizes+=(5000); else sizes+=("$a"); fi
done
[ ${#sizes[@]} -gt 0 ] && [ "${sizes[*]}" != "5000" ] || sizes=(10 100 1000 "${sizes[@]}")
command -v /usr/bin/time >/dev/null || { apt-get update && apt-get install -y time; }
venv=benchmarks/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pandas polars
fi
swift build -c release --product impact >/dev/null
bin="$PWD/.build/release/impact"

measure() {  # measure TIMEFILE CMD... → runs CMD under /usr/bin/time -v
  local t=$1; shift
  /usr/bin/time -v -o "$t" "$@"
}

printf '| input (MB) | records | impact (s) | MB/s | records/s | peak RSS (MB) | CSV ingest (MB/s) | XML ingest (MB/s) | xmllint --stream (MB/s) | XML ÷ xmllint | resolve + indicators + report (s) | pandas (s) | pandas RSS (MB) | polars (s) | polars RSS (MB) | pandas ÷ impact | polars ÷ impact | figures |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n'
for size in "${sizes[@]}"; do
  dir="benchmarks/data/national-$size"
  [ -f "$dir/pipeline.yml" ] || python3 benchmarks/make_national.py "$dir" "$size" >/dev/null
  rm -rf "$dir/out"
  set +e
  ( cd "$dir" && measure time-impact.txt "$bin" run --quiet --log-format json pipeline.yml 2> log.jsonl )
  code=$?
  set -e
  [ $code -le 1 ] || { echo "impact failed ($code): $(tail -3 "$dir/log.jsonl")"; exit 1; }
  measure "$dir/time-xmllint.txt" xmllint --stream --noout "$dir/presences.xml"
  check="equal"
  for engine in pandas polars; do
    measure "$dir/time-$engine.txt" "$venv/bin/python" benchmarks/reference.py "$engine" "$dir" "$dir/ref-$engine.csv" >/dev/null
    python3 benchmarks/compare.py "$dir/out/indicators.csv" "$dir/ref-$engine.csv" > "$dir/compare-$engine.txt" || check="DIFFER ($engine)"
  done
  python3 - "$dir" "$check" <<'PY'
import json, re, sys, pathlib
d, check = pathlib.Path(sys.argv[1]), sys.argv[2]
def time_of(name):
    t = (d / f"time-{name}.txt").read_text()
    wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0].split(":")
    return sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall))), int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
events = [json.loads(l) for l in (d / "log.jsonl").read_text().splitlines() if l.startswith("{")]
stages = [e for e in events if e.get("event") == "stage"]
def rate(fmt):
    s = [e for e in stages if e.get("format") == fmt]
    b, t = sum(e.get("bytes", 0) for e in s), sum(e["duration_s"] for e in s)
    return b / 1e6 / t if t else 0
rest = sum(e["duration_s"] for e in stages if e["stage"] in ("resolve", "indicators", "write"))
m = json.loads((d / "out" / "manifest.json").read_text())
size = sum(i["size"] for i in m["inputs"]) / 1e6
records = sum(s["read"] for s in m["sources"])
w, rss = time_of("impact")
xw, _ = time_of("xmllint")
xmllint = (d / "presences.xml").stat().st_size / 1e6 / xw
pw, prss = time_of("pandas")
lw, lrss = time_of("polars")
(d / "peak-rss.txt").write_text(f"{rss:.1f}\n")
print(f"| {size:,.0f} | {records:,} | {w:.2f} | {size / w:.1f} | {records / w:,.0f} | {rss:.0f} | {rate('csv'):.1f} | {rate('xml'):.1f} "
      f"| {xmllint:.1f} | {rate('xml') / xmllint:.2f} | {rest:.2f} "
      f"| {pw:.2f} | {prss:.0f} | {lw:.2f} | {lrss:.0f} | {pw / w:.2f} | {lw / w:.2f} | {check} |")
PY
done
largest="${sizes[${#sizes[@]}-1]}"
if [ -f benchmarks/data/national-100/peak-rss.txt ] && [ "$largest" != 100 ]; then
  python3 -c "import sys; a, b = (float(open(f).read()) for f in sys.argv[1:]); print(f'\npeak RSS at $largest MB ÷ at 100 MB: {a / b:.2f} ({a:.0f} MB / {b:.0f} MB)')" \
    "benchmarks/data/national-$largest/peak-rss.txt" benchmarks/data/national-100/peak-rss.txt
fi
