#!/usr/bin/env bash
# Builds and runs one fuzz target for SECONDS (libFuzzer through swiftc -sanitize=fuzzer,address; the
# C targets, libxml2's SAX2 callbacks among them, under AddressSanitizer too).
#   fuzz/run.sh TARGET SECONDS        TARGET: CSV Dialect PartnerXML SpreadsheetML ODK PipelineFile
#   fuzz/run.sh TARGET replay FILE…   runs the target on given inputs (a finding's reproducer)
#   fuzz/run.sh build                 builds every target (what CI does first)
# The corpus grows in fuzz/corpus/TARGET (kept between runs, not in git), seeded from the sample
# inputs, ../shared/corpora and fuzz/regressions (past findings); findings go to fuzz/findings/.
# Prints one line: executions, coverage, corpus size, peak RSS, or the finding.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET SECONDS}
flags=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing -Xcc -fsanitize=address)
if [ "$target" = build ]; then
  swift build "${flags[@]}" >build-all.log 2>&1 || { tail -20 build-all.log; exit 1; }
  exit 0
fi
mode=${2:?usage: fuzz/run.sh TARGET SECONDS}
shared=../../shared/corpora
[ -d "$shared" ] || shared=../shared/corpora

swift build "${flags[@]}" --product "Fuzz$target" >build-$target.log 2>&1 || { tail -20 build-$target.log; exit 1; }
bin="$(swift build -c debug --show-bin-path)/Fuzz$target"

if [ "$mode" = replay ]; then
  shift 2
  files=()
  for f in "$@"; do case $f in /*) files+=("$f") ;; *) files+=("$caller/$f") ;; esac; done
  SWIFT_BACKTRACE=enable=no exec "$bin" -runs=1 "${files[@]}"
fi

corpus=corpus/$target
seeds=seeds/$target
mkdir -p "$corpus" findings "$seeds"
seed() { for f in "$@"; do [ -f "$f" ] && head -c 65536 "$f" >"$seeds/$(echo "$f" | md5sum | cut -c1-16)"; done; return 0; }
# Inputs that once were findings (each also a unit test) start every run.
cp regressions/"$target"-* "$seeds"/ 2>/dev/null || true
case $target in
  CSV|Dialect)
    seed ../inputs/*.csv ../inputs/*.tsv "$shared"/csv-spectrum/csvs/*.csv "$shared"/csv-encodings-phpspreadsheet/* \
         "$shared"/french-csv-datagouv-csv-detective/* "$shared"/qualtrics-csv-qualtRics/*
    dict=dict/csv.dict; max=4096 ;;
  PartnerXML|SpreadsheetML|ODK)
    seed ../inputs/*.xml "$shared"/xml-attacks-defusedxml/*.xml $(find "$shared"/spreadsheetml-phpspreadsheet "$shared"/odk-onadata \
         "$shared"/odk-central-audit-logs -name '*.xml' -size -64k 2>/dev/null | head -300)
    dict=dict/xml.dict; max=65536 ;;
  PipelineFile)
    seed ../pipelines/*.yml
    dict=dict/yaml.dict; max=16384 ;;
  *) echo "unknown target: $target" >&2; exit 2 ;;
esac

log=findings/$target.log
export SWIFT_BACKTRACE=enable=no  # a finding's trace comes from ASan; Swift's own backtracer trips ASan
# -timeout: one input running over 10 s is a hang; -rss_limit_mb: memory beyond 1 GB is a finding.
status=0
"$bin" "$corpus" "$seeds" -dict="$dict" -max_len=$max -max_total_time="$mode" -timeout=10 -rss_limit_mb=1024 \
  -artifact_prefix="findings/$target-" -print_final_stats=1 -use_value_profile=1 2>"$log" || status=$?
last=$(grep -E "^#[0-9]+" "$log" | tail -1)
runs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$log" | grep -o "[0-9]*$" || echo "?")
rss=$(grep -o "stat::peak_rss_mb: *[0-9]*" "$log" | grep -o "[0-9]*$" || echo "?")
cov=$(echo "$last" | grep -o "cov: [0-9]*" | grep -o "[0-9]*" || echo "?")
ft=$(echo "$last" | grep -o "ft: [0-9]*" | grep -o "[0-9]*" || echo "?")
files=$(ls "$corpus" | wc -l)
if [ "$status" -eq 0 ]; then
  echo "$target: $runs executions in $mode s, coverage $cov edges / $ft features, corpus $files inputs, peak RSS $rss MB, no finding"
else
  echo "$target: FINDING after $runs executions (exit $status): $(ls -t findings/$target-* 2>/dev/null | head -1)"
  grep -E "FUZZ FINDING|==ERROR|SUMMARY|Fatal error" "$log" | head -5
fi
exit "$status"
