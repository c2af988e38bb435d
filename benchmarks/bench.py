#!/usr/bin/env python3
"""The benchmark: impact against the strongest Python peer we could write, the naive scripts and
the floors, every comparison in alternating rounds after a warm-up. Run by bench.sh.

usage: bench.py [--rounds N] [--5gb] [SIZE_MB ...]   (default sizes: 100 1000)

For each size, a national roll-up generated once (make_national.py) into benchmarks/data/, then:
1. Whole run, per size: `impact run` (release build) against peer.py (the strongest peer),
   reference.py polars (naive) and reference.py pandas. Every peer's figures must equal impact's
   published reach rows (compare.py) after every run, warm-up included, or the benchmark stops.
2. CSV only, on the largest size up to 1,000 (at 1,000: 700 MB attendance CSV + the journal):
   `impact run` of a pipeline reading those two files (its read stage taken from the
   `--log-format json` stage events), peer.py on the same files, polars `read_csv` of the needed
   columns (readers.py), and `cat` as the floor.
3. XML only, same set (250 MB partner XML + the journal): impact's XML read stage (from its log) and
   the whole run, `xmllint --stream --noout`, lxml `iterparse` (one thread) and the peer's reader
   (lxml on two processes), and peer.py.
4. Fixed cost: a 1 MB national set (the full 21,600-action journal, little attendance), the bundled
   sample, `impact --version`; peer.py and pandas on the 1 MB set.
5. With --5gb (or any size above 1,000): impact and peer.py, one round without warm-up (peak
   memory; long). Comparisons 2–4 run when a size up to 1,000 is given: `bench.py 5000` is 5 alone.
Prints one Markdown table per comparison (ratios are impact's time ÷ the row's, round by round,
then their median and range), then a summary. Progress and every run's figures go to stderr.
"""
import argparse
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pairs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
BIN = ROOT / ".build" / "release" / "impact"
PY = HERE / ".venv" / "bin" / "python"
IMPACT = "impact run"


def ensure(size):
    """benchmarks/data/national-SIZE, generated once (its pipeline.yml, written last, says it is whole)."""
    d = DATA / f"national-{size:g}"
    yml = d / "pipeline.yml"
    if not (yml.exists() and "questionnaire-candidats" in yml.read_text(encoding="utf-8")):
        print(f"generating {d} …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(HERE / "make_national.py"), str(d), f"{size:g}"], check=True, stdout=subprocess.DEVNULL)
    return d


def subset(d, name, keep):
    """A pipeline file in `d` reading only the sources named in `keep` (no questionnaire)."""
    text = (d / "pipeline.yml").read_text(encoding="utf-8")
    head, sources = text.split("sources:\n")
    head = re.sub(r"questionnaire:\n(  .*\n)*", "", head)
    blocks = ["  - name: " + b for b in sources.split("  - name: ")[1:]]
    kept = [b for b in blocks if b.split("\n")[0].split(": ")[1] in keep]
    (d / name).write_text(head + "sources:\n" + "".join(kept), encoding="utf-8")
    return name


def stages(log):
    """{format: seconds} of the read stages in an `impact run --log-format json` log."""
    out = {}
    for line in Path(log).read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            e = json.loads(line)
            if e.get("event") == "stage" and e.get("stage") == "read" and "format" in e:
                out[e["format"]] = out.get(e["format"], 0) + e["duration_s"]
    return out


class Checked:
    """The check after each run of a comparison: every peer's figures against impact's (same inputs),
    and impact's indicators.csv the same from run to run; impact's read stages kept with its run."""

    def __init__(self, d, out, log, peers):
        self.d, self.out, self.log, self.peers = d, out, log, peers  # peers: {name: csv written}
        self.pending, self.impact_ran, self.digest = set(), False, None

    def __call__(self, name, run):
        if name == IMPACT:
            run.extra = stages(self.d / self.log)
            digest = hashlib.sha256((self.d / self.out / "indicators.csv").read_bytes()).hexdigest()
            if self.digest not in (None, digest):
                raise SystemExit(f"{self.d}: indicators.csv changed between two runs of the same inputs")
            self.digest, self.impact_ran = digest, True
            todo, self.pending = self.pending, set()
        elif name in self.peers:
            todo = {name}
            if not self.impact_ran:
                self.pending.add(name)
                return
        else:
            return
        for peer in todo:
            check = subprocess.run([sys.executable, str(HERE / "compare.py"), str(self.d / self.out / "indicators.csv"),
                                    str(self.d / self.peers[peer])], capture_output=True, text=True)
            if check.returncode != 0:
                raise SystemExit(f"{peer}'s figures differ from impact's ({self.d}):\n{check.stdout}")
            print(f"    {peer}: {check.stdout.strip()}", file=sys.stderr)


def measure(title, d, commands, rounds, check=None, warm_up=True):
    """Runs one comparison; prints its heading and the load before and after to stderr."""
    print(f"\n== {title} ({pairs.load()})", file=sys.stderr, flush=True)
    before = os.getloadavg()[0]
    results = pairs.compare({n: (c, str(d), err) for n, (c, err) in commands.items()}, rounds, after=check, warm_up=warm_up)
    return results, (before, os.getloadavg()[0])


def whole(size, rounds, sink):
    d = ensure(size)
    peers = {"peer.py (strongest)": "peer.csv", "reference.py polars (naive)": "ref-polars.csv",
             "reference.py pandas": "ref-pandas.csv"}
    commands = {IMPACT: (f"{BIN} run --quiet --log-format json pipeline.yml", str(d / "log.jsonl")),
                "peer.py (strongest)": (f"{PY} {HERE}/peer.py . peer.csv", None),
                "reference.py polars (naive)": (f"{PY} {HERE}/reference.py polars . ref-polars.csv", None),
                "reference.py pandas": (f"{PY} {HERE}/reference.py pandas . ref-pandas.csv", None)}
    big = size > 1000
    if big:  # 5 GB: impact and the strongest peer only, one round (pandas needs ≈ 10 GB and 5 minutes)
        commands = {k: commands[k] for k in (IMPACT, "peer.py (strongest)")}
    results, load = measure(f"whole run, {size:g} MB", d, commands, 1 if big else rounds,
                            Checked(d, "out", "log.jsonl", peers), warm_up=not big)
    manifest = json.loads((d / "out" / "manifest.json").read_text(encoding="utf-8"))
    mb = sum(i["size"] for i in manifest["inputs"]) / 1e6
    records = sum(s["read"] for s in manifest["sources"])
    sink.append((f"Whole run, {size:g} MB set ({mb:,.0f} MB of inputs, {records:,} records); load {load[0]:.2f} → {load[1]:.2f}",
                 pairs.table(results, IMPACT, mb)))
    return results


def csv_only(d, rounds, sink):
    name = subset(d, "pipeline-csv.yml", {"actions", "emargements"})
    mb = ((d / "actions.csv").stat().st_size + (d / "emargements.csv").stat().st_size) / 1e6
    commands = {IMPACT: (f"{BIN} run --quiet --log-format json --output out-csv {name}", str(d / "log-csv.jsonl")),
                "peer.py csv (polars)": (f"{PY} {HERE}/peer.py . peer-csv.csv csv", None),
                "polars read_csv, needed columns": (f"{PY} {HERE}/readers.py polars-csv .", None),
                "cat": ("cat actions.csv emargements.csv > /dev/null", None)}
    results, load = measure("CSV only", d, commands, rounds, Checked(d, "out-csv", "log-csv.jsonl", {"peer.py csv (polars)": "peer-csv.csv"}))
    stage = {"impact: CSV read stage (its log)": [r.extra["csv"] for r in results[IMPACT]]}
    results = {IMPACT: results[IMPACT], **stage, **{k: v for k, v in results.items() if k != IMPACT}}
    sink.append((f"CSV only: attendance CSV + actions journal, {mb:,.0f} MB; load {load[0]:.2f} → {load[1]:.2f}",
                 pairs.table(results, IMPACT, mb)))
    return results, mb


def xml_only(d, rounds, sink):
    name = subset(d, "pipeline-xml.yml", {"actions", "presences"})
    mb = (d / "presences.xml").stat().st_size / 1e6
    commands = {IMPACT: (f"{BIN} run --quiet --log-format json --output out-xml {name}", str(d / "log-xml.jsonl")),
                "xmllint --stream --noout": ("xmllint --stream --noout presences.xml", None),
                "lxml iterparse (one thread)": (f"{PY} {HERE}/readers.py lxml-iterparse .", None),
                "lxml, peer's reader (two processes)": (f"{PY} {HERE}/readers.py lxml-parts .", None),
                "peer.py xml": (f"{PY} {HERE}/peer.py . peer-xml.csv xml", None)}
    results, load = measure("XML only", d, commands, rounds, Checked(d, "out-xml", "log-xml.jsonl", {"peer.py xml": "peer-xml.csv"}))
    stage = "impact: XML read stage (its log)"
    results = {stage: [r.extra["xml"] for r in results[IMPACT]], **results}
    sink.append((f"XML only: partner XML, {mb:,.0f} MB (MB/s of the XML file; the whole run also reads the journal); "
                 f"load {load[0]:.2f} → {load[1]:.2f}", pairs.table(results, stage, mb)))
    return results, mb


def fixed(rounds, sink):
    d = ensure(1)
    sample = tempfile.mkdtemp(prefix="impact-bench-sample-")
    peers = {"peer.py": "peer.csv", "reference.py pandas": "ref-pandas.csv"}
    commands = {IMPACT: (f"{BIN} run --quiet --log-format json pipeline.yml", str(d / "log.jsonl")),
                "impact run, bundled sample": (f"{BIN} run --quiet --output {sample} {ROOT}/pipelines/declic-industrie.yml", None),
                "impact --version": (f"{BIN} --version", None),
                "peer.py": (f"{PY} {HERE}/peer.py . peer.csv", None),
                "reference.py pandas": (f"{PY} {HERE}/reference.py pandas . ref-pandas.csv", None)}
    results, load = measure("fixed cost", d, commands, max(rounds, 5), Checked(d, "out", "log.jsonl", peers))
    sink.append((f"Fixed cost: the 1 MB set (full 21,600-action journal), the bundled sample; load {load[0]:.2f} → {load[1]:.2f}",
                 pairs.table(results, IMPACT)))
    return results


def summary(runs, csv, xml, fix):
    """The figures the issue's acceptance asks for, as one table."""
    med = pairs.median_range
    walls = lambda rs: [r.wall if isinstance(r, pairs.Run) else r for r in rs]

    def ratio(a, b):
        """Wall-time ratio round by round; and the CPU-time ratio when both are whole commands (on a
        loaded machine a command with more threads gets a larger share of the cores: CPU is steadier)."""
        text = med(pairs.ratios(walls(a), walls(b)))
        if all(isinstance(r, pairs.Run) for r in a + b):
            text += f"; CPU {med(pairs.ratios([r.cpu for r in a], [r.cpu for r in b]))}"
        return text

    rows = []
    for size, r in runs.items():
        for peer in [p for p in r if p != IMPACT]:
            rows.append((f"{size:g} MB whole run: impact ÷ {peer} (time)", ratio(r[IMPACT], r[peer])))
    if csv:
        r, mb = csv
        rows.append(("CSV only: impact run ÷ peer.py csv (polars pipeline)", ratio(r[IMPACT], r["peer.py csv (polars)"])))
        rows.append(("CSV only: impact's read stage ÷ polars read_csv of the needed columns",
                     ratio(r["impact: CSV read stage (its log)"], r["polars read_csv, needed columns"])))
        rows.append(("CSV only, MB/s: impact run / its read stage / polars read_csv / cat",
                     " / ".join(f"{mb / statistics.median(walls(r[k])):,.0f}" for k in
                                (IMPACT, "impact: CSV read stage (its log)", "polars read_csv, needed columns", "cat"))))
    if xml:
        r, mb = xml
        stage = r["impact: XML read stage (its log)"]
        rows.append(("XML only: impact's XML stage throughput ÷ xmllint --stream's", ratio(r["xmllint --stream --noout"], stage)))
        rows.append(("XML only: impact's XML stage throughput ÷ lxml iterparse's", ratio(r["lxml iterparse (one thread)"], stage)))
        rows.append(("XML only: impact's XML stage throughput ÷ the peer's two-process lxml reader's",
                     ratio(r["lxml, peer's reader (two processes)"], stage)))
        rows.append(("XML only: impact run ÷ peer.py xml (time)", ratio(r[IMPACT], r["peer.py xml"])))
    if fix:
        for k in (IMPACT, "impact run, bundled sample", "impact --version", "peer.py"):
            rows.append((f"fixed cost, {k if k != IMPACT else 'impact run, 1 MB set'} (s)", med(walls(fix[k]), 3)))
    for size, r in runs.items():
        rows.append((f"peak RSS at {size:g} MB (MiB): impact / peer.py" + (" / pandas" if "reference.py pandas" in r else ""),
                     " / ".join(f"{max(x.rss for x in r[k]):,.0f}" for k in (IMPACT, "peer.py (strongest)", "reference.py pandas") if k in r)))
    return "\n".join(["| comparison | wall, median (min–max) of the rounds; CPU likewise | target (issue) |", "|---|---:|---|"]
                     + [f"| {a} | {b} | {verdict(a, b)} |" for a, b in rows])


# The acceptance targets of issues 8 and 23, by the summary row they apply to: (row prefix, bound, at most?).
TARGETS = [("1000 MB whole run: impact ÷ peer.py (strongest)", 0.6, True, "≤ 0.6 (23)"),
           ("1000 MB whole run: impact ÷ reference.py polars", 1.0, True, "≤ 1 (8)"),
           ("1000 MB whole run: impact ÷ reference.py pandas", 0.5, True, "≤ 0.5 (8)"),
           ("CSV only: impact run ÷ peer.py csv", 0.8, True, "≤ 0.8 (23)"),
           ("XML only: impact's XML stage throughput ÷ xmllint", 1.2, False, "≥ 1.2 (23)")]


def verdict(row, text):
    """'≤ 0.6 (23): met' when a target applies to the row, judged on the wall-time median."""
    for prefix, bound, at_most, label in TARGETS:
        if row.startswith(prefix):
            value = float(text.split()[0].replace(",", ""))
            return f"{label}: {'met' if (value <= bound if at_most else value >= bound) else 'not met'}"
    if row.startswith("CSV only, MB/s"):
        stage = float(text.split(" / ")[1].replace(",", ""))
        return f"read stage ≥ 800 MB/s (23): {'met' if stage >= 800 else 'not met'}"
    if row.startswith("peak RSS"):
        peak = float(text.split(" / ")[0].replace(",", ""))
        return f"< 150 MB (8): {'met' if peak * 1.048576 < 150 else 'not met'}"
    return ""


def versions():
    py = subprocess.run([str(PY), "-c", "import polars, lxml.etree as e, pandas; print(f'polars {polars.__version__}, "
                         "lxml {e.__version__} (libxml2 {\".\".join(map(str, e.LIBXML_VERSION))}), pandas {pandas.__version__}')"],
                        capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    return f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores ({cpu}), {py}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds after the warm-up (default 3)")
    ap.add_argument("--5gb", dest="five", action="store_true", help="also impact and peer.py at 5 GB (one round)")
    ap.add_argument("sizes", nargs="*", type=float, help="sizes of the whole-run comparison in MB (default 100 1000)")
    a = ap.parse_args()
    sizes = a.sizes or [100.0, 1000.0]
    if a.five and 5000.0 not in sizes:
        sizes.append(5000.0)
    print(f"Benchmark of {versions()}; {a.rounds} rounds after a warm-up (above 1,000 MB: one round, none).\n")
    sink, runs = [], {}
    for size in sizes:
        runs[size] = whole(size, a.rounds, sink)
    csv = xml = fix = None
    if any(s <= 1000 for s in sizes):  # `bench.sh 5000` runs the 5 GB comparison alone
        base = ensure(max(s for s in sizes if s <= 1000))
        csv = csv_only(base, a.rounds, sink)
        xml = xml_only(base, a.rounds, sink)
        fix = fixed(a.rounds, sink)
    for title, table in sink:
        print(f"{title}\n\n{table}\n")
    print("Summary\n\n" + summary(runs, csv, xml, fix))
    print(f"\n{pairs.load()} at the end")


if __name__ == "__main__":
    main()
