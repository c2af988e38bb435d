#!/usr/bin/env bash
# Workbook benchmark: `impact run` on an attendance workbook whose sheet is SIZE_MB of XML
# uncompressed, against the same pipeline on the CSV of the same rows, and against openpyxl
# (read-only streaming) and pandas `read_excel` reading the same workbook.
#
#   benchmarks/run_workbook.sh [SIZE_MB]      (default: 500)
#
# Generates benchmarks/data/workbook-SIZE/ once (make_workbook.py), builds the release binary,
# runs each command once under /usr/bin/time -v and prints one Markdown table: wall time, MB/s of
# the sheet's uncompressed XML (of the CSV for the CSV run), rows/s, peak RSS, and the read stage of
# impact's runs (from --log-format json). Fails unless both impact runs publish the same indicators.
# The Python readers are installed from PyPI into benchmarks/.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-500}"
command -v /usr/bin/time >/dev/null || { apt-get update && apt-get install -y time; }
venv=benchmarks/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import openpyxl, pandas" 2>/dev/null || "$venv/bin/pip" install -q openpyxl pandas
swift build -c release --product impact >/dev/null
bin="$PWD/.build/release/impact"
dir="benchmarks/data/workbook-$size"
[ -f "$dir/pipeline-xlsx.yml" ] || python3 benchmarks/make_workbook.py "$dir" "$size"
rm -rf "$dir/out" "$dir/out-xlsx"
run() {  # run NAME CMD... (in $dir)
  local name=$1; shift
  set +e
  ( cd "$dir" && /usr/bin/time -v -o "time-$name.txt" "$@" >"stdout-$name.txt" 2>"log-$name.jsonl" )
  local code=$?
  set -e
  [ $code -le 1 ] || { echo "$name failed ($code): $(tail -3 "$dir/log-$name.jsonl")"; exit 1; }
}
run xlsx "$bin" run --quiet --log-format json pipeline-xlsx.yml
run csv "$bin" run --quiet --log-format json pipeline.yml
cmp "$dir/out/indicators.csv" "$dir/out-xlsx/indicators.csv" || { echo "the workbook and the CSV give different indicators"; exit 1; }
run openpyxl "$PWD/$venv/bin/python" "$PWD/benchmarks/read_workbook.py" openpyxl emargements.xlsx
run pandas "$PWD/$venv/bin/python" "$PWD/benchmarks/read_workbook.py" pandas emargements.xlsx
python3 - "$dir" <<'PY'
import json, re, sys, pathlib
d = pathlib.Path(sys.argv[1])
sheet, rows = (int(x) for x in (d / "sheet.txt").read_text().split())
csv = (d / "emargements.csv").stat().st_size
def figures(name):
    t = (d / f"time-{name}.txt").read_text()
    wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0].split(":")
    return sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall))), int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
def read_stage(name):
    events = [json.loads(l) for l in (d / f"log-{name}.jsonl").read_text().splitlines() if l.startswith("{")]
    return next(e["duration_s"] for e in events if e.get("event") == "stage" and e.get("stage") == "read" and e.get("source") == "emargements")
print(f"sheet: {sheet / 1e6:,.0f} MB of XML uncompressed ({(d / 'emargements.xlsx').stat().st_size / 1e6:,.0f} MB workbook), "
      f"{rows:,} rows; the same rows as CSV: {csv / 1e6:,.0f} MB\n")
print("| reader | wall (s) | MB/s | rows/s | peak RSS (MB) | read stage (s) | read stage MB/s |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, label, size in [("xlsx", "impact run, workbook", sheet), ("csv", "impact run, CSV of the same rows", csv),
                          ("openpyxl", "openpyxl read-only, rows only", sheet), ("pandas", "pandas read_excel", sheet)]:
    wall, rss = figures(name)
    stage = f"{read_stage(name):.2f} | {size / 1e6 / read_stage(name):.1f}" if name in ("xlsx", "csv") else " | "
    print(f"| {label} | {wall:.2f} | {size / 1e6 / wall:.1f} | {rows / wall:,.0f} | {rss:.0f} | {stage} |")
PY
