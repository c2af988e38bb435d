#!/usr/bin/env bash
# XML benchmark: `impact run` on a large partner-XML export against `xmllint --stream --noout`
# (libxml2's own streaming parser doing nothing but parse) on the same file.
#
#   benchmarks/run_xml.sh [SIZE_MB]      (default: 500)
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-500}"
command -v xmllint >/dev/null || { apt-get update && apt-get install -y libxml2-utils; }
command -v /usr/bin/time >/dev/null || { apt-get update && apt-get install -y time; }
swift build -c release --product impact >/dev/null
bin="$PWD/.build/release/impact"
dir="benchmarks/data/xml-$size"
[ -f "$dir/pipeline.yml" ] || python3 benchmarks/make_large_xml.py "$dir" "$size" >/dev/null
rm -rf "$dir/out"
( cd "$dir" && /usr/bin/time -v "$bin" run --quiet pipeline.yml ) 2>"$dir/time-impact.txt" || true
/usr/bin/time -v xmllint --stream --noout "$dir/presences.xml" 2>"$dir/time-xmllint.txt"
python3 - "$dir" <<'PY'
import json, re, sys, pathlib
d = pathlib.Path(sys.argv[1])
def figures(name):
    t = (d / name).read_text()
    wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0].split(":")
    return sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall))), int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
size = (d / "presences.xml").stat().st_size / 1e6
records = next(s["read"] for s in json.loads((d / "out" / "manifest.json").read_text())["sources"] if s["name"] == "presences")
(ti, ri), (tx, rx) = figures("time-impact.txt"), figures("time-xmllint.txt")
print("| command | XML (MB) | records | wall (s) | MB/s | peak RSS (MB) |\n|---|---:|---:|---:|---:|---:|")
print(f"| impact run (whole pipeline) | {size:,.0f} | {records:,} | {ti:.2f} | {size / ti:.1f} | {ri:.0f} |")
print(f"| xmllint --stream --noout | {size:,.0f} | | {tx:.2f} | {size / tx:.1f} | {rx:.0f} |")
print(f"\nimpact / xmllint throughput: {tx / ti:.2f}x")
PY
