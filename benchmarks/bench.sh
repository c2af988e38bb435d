#!/usr/bin/env bash
# The benchmark of issues 8 and 23: impact (release build) against the strongest Python peer we could
# write (peer.py: polars + lxml on every core), the naive scripts (reference.py, polars and pandas)
# and the floors (polars read_csv, xmllint --stream, cat), in alternating rounds after a warm-up.
#
#   benchmarks/bench.sh [--rounds N] [--5gb] [SIZE_MB ...]      (default: 3 rounds, sizes 100 1000)
#
# Installs what it needs (GNU time, xmllint; polars, lxml and pandas from PyPI into
# benchmarks/.venv), builds the release binary, generates the data sets once into benchmarks/data/,
# then runs bench.py (what is compared and how: its docstring). Prints Markdown tables on stdout,
# every run on stderr. About 15 minutes with the defaults on 2 cores; --5gb adds about 5 minutes and
# 5 GB of disk. `benchmarks/bench.sh --rounds 1 10` is a two-minute check that everything works.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v /usr/bin/time >/dev/null || missing+=(time)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
if [ ${#missing[@]} -gt 0 ]; then apt-get update && apt-get install -y "${missing[@]}"; fi
venv=benchmarks/.venv
if ! "$venv/bin/python" -c "import polars, lxml, pandas" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q polars lxml pandas
fi
swift build -c release --product impact >/dev/null
exec python3 benchmarks/bench.py "$@"
