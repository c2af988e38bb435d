#!/usr/bin/env python3
"""The reach figures of a make_national.py data set, as fast as we could write them in Python.

usage: peer.py DATA_DIR OUT_CSV [SOURCES]   → writes OUT_CSV, prints the time of each step

The strongest peer of the benchmark (reference.py is the naive one). SOURCES: csv+xml (default),
csv (the actions journal and the attendance CSV) or xml (the journal and the partner XML).
- The partner XML is cut at session boundaries and parsed by lxml in a pool of processes forked
  first (peer_xml.py: libxml2 builds each part's tree, a compiled XSLT writes its lines), while the
  main process reads the CSV files with polars (all threads; only the four needed columns).
- Persons and organisations are trimmed, lower-cased and hashed to u64 where they are read;
  profiles become a type index, action codes an index in the journal (an Enum cast, no join).
- Lines are de-duplicated on (action, person) before anything else, keeping the first (the CSV
  before the XML, as impact reads them), on one u64 per line (person hash ^ action index × an odd
  constant: measured 0.57 s against 1.25 s for a two-column `unique` at 1 GB; a false duplicate needs
  a 64-bit collision, odds about 1e-6 at 6 million lines). Each line gets its cell (period × territory)
  and period as integers (a gather by action index, no string keys), then one `collect_all` runs the
  four group-bys: per cell × type, everything; per period × type, cell and period, only the distinct
  persons and organisations (participations and actions are sums of the finer cells).
- Count-only actions (no attendance sheet) add their declared head counts, as impact does.
Writes actions, participations, participants and organisations per period × territory × type
(with ALL) to OUT_CSV, every cell impact publishes (zeros included).
Differs from impact where this data set never shows it: keys are lower-cased, not folded (accents
and punctuation kept), and the journal is trusted (no date, territory or count validation).
"""
import sys
import time

import peer_xml
from usage import check_arguments

COUNTS = {"industriel": "Nb industriels", "prescripteur": "Nb prescripteurs", "candidat": "Nb candidats"}
ALL = "ALL"
ODD = 0x9E3779B97F4A7C15  # 2^64 / golden ratio: spreads action indices over the 64 bits


def read_actions(pl, data):
    """The journal: one row per action (first of a repeated id), its index, period, territory, counts,
    and its cell (period × territory) and period as integers."""
    acts = pl.read_csv(f"{data}/actions.csv", separator=";", encoding="cp1252", skip_rows=1, infer_schema=False)
    return acts.select(
        pl.col("N° action").str.strip_chars().alias("action"),
        pl.col("Date").str.strip_chars().str.slice(-4).alias("period"),
        ("t" + pl.col("Territoire").str.extract(r"(\d+)\s*$")).alias("territory"),
        *[pl.col(c).str.strip_chars().cast(pl.Int64, strict=False).fill_null(0).alias(t) for t, c in COUNTS.items()],
    ).unique("action", keep="first", maintain_order=True).with_row_index("idx").with_columns(
        pl.concat_str("period", "territory", separator="|").rank("dense").cast(pl.UInt32).alias("cell"),
        pl.col("period").rank("dense").cast(pl.UInt32).alias("per"))


def read_attendance_csv(pl, data):
    """The attendance CSV, lazily: the four columns read, keyed as the XML parts are."""
    return pl.scan_csv(f"{data}/emargements.csv", infer_schema=False).select(
        pl.col("Code action").str.strip_chars().alias("action"),
        peer_xml.key(pl, pl.col("E-mail")).alias("person"),
        peer_xml.profile_type(pl, pl.col("Profil")).alias("type"),
        peer_xml.key(pl, pl.col("Structure")).alias("organisation"))


def group_bys(pl, acts, lines):
    """(per cell × type, per period × type, per cell, per period, actions listed) from the lines."""
    att = (lines.with_columns(pl.col("action").cast(pl.Enum(acts["action"]), strict=False).to_physical().alias("idx"))
           .filter(pl.col("idx").is_not_null() & pl.col("type").is_not_null() & pl.col("person").is_not_null())
           .filter((pl.col("person") ^ (pl.col("idx").cast(pl.UInt64) * ODD)).is_first_distinct())
           .select("idx", "person", "type", "organisation",
                   pl.lit(acts["cell"]).gather(pl.col("idx")).alias("cell"),
                   pl.lit(acts["per"]).gather(pl.col("idx")).alias("per"))).collect().lazy()
    org = pl.col("organisation")
    distinct = [pl.col("person").n_unique().alias("participants"),
                (org.n_unique() - org.null_count().gt(0).cast(pl.UInt32)).alias("organisations")]
    fine = att.group_by("cell", "type").agg(pl.len().alias("participations"), pl.col("idx").n_unique().alias("actions"), *distinct)
    coarse = [att.group_by(keys).agg(distinct) for keys in (["per", "type"], ["cell"], ["per"])]
    return pl.collect_all([fine, *coarse, att.select(pl.col("idx").unique())])


def reach(pl, acts, lines):
    """{(indicator, period, territory, type): value} from the journal and the attendance lines."""
    fine, per_type, per_cell, per_period, listed = group_bys(pl, acts, lines)
    types = peer_xml.TYPES
    listed = set(listed["idx"].to_list())
    cell_of = {c: (p, t) for c, p, t in acts.select("cell", "period", "territory").unique().iter_rows()}
    period_of = {n: p for n, p in acts.select("per", "period").unique().iter_rows()}

    out = {}
    cells_of, seen = {}, {}  # period → territories; period → types with persons listed or declared
    for (i, _, period, territory, *declared) in acts.select("idx", "action", "period", "territory", *types).iter_rows():
        cells_of.setdefault(period, set()).add(territory)
        seen.setdefault(period, set()).update(t for t, n in zip(types, declared) if n > 0)
        for where in (territory, ALL):
            add(out, ("actions", period, where, ALL), 1)
            if i in listed:
                continue
            for t, n in zip(types + [ALL], declared + [sum(declared)]):
                if n > 0:
                    if t != ALL:
                        add(out, ("actions", period, where, t), 1)
                    add(out, ("participations", period, where, t), n)
                    add(out, ("participants", period, where, t), n)
    # Participations and actions are sums of the cell × type rows; persons and organisations are not.
    for cell, type_index, participations, actions, participants, organisations in fine.iter_rows():
        period, territory = cell_of[cell]
        t = types[type_index]
        seen[period].add(t)
        for where in (territory, ALL):
            add(out, ("actions", period, where, t), actions)
            for tt in (t, ALL):
                add(out, ("participations", period, where, tt), participations)
        add(out, ("participants", period, territory, t), participants)
        add(out, ("organisations", period, territory, t), organisations)
    for table, where_type in ((per_type, lambda r: (period_of[r[0]], ALL, types[r[1]])),
                              (per_cell, lambda r: (*cell_of[r[0]], ALL)),
                              (per_period, lambda r: (period_of[r[0]], ALL, ALL))):
        for row in table.iter_rows():
            add(out, ("participants", *where_type(row)), row[-2])
            add(out, ("organisations", *where_type(row)), row[-1])
    # Every period × territory × type impact publishes, zeros included.
    for period, territories in cells_of.items():
        for where in sorted(territories) + [ALL]:
            for t in sorted(seen[period]) + [ALL]:
                for indicator in ("actions", "participations", "participants", "organisations"):
                    out.setdefault((indicator, period, where, t), 0)
    return out


def add(out, k, n):
    out[k] = out.get(k, 0) + n


def main():
    data, out_csv = sys.argv[1], sys.argv[2]
    sources = sys.argv[3] if len(sys.argv) > 3 else "csv+xml"
    if sources not in ("csv+xml", "csv", "xml"):
        sys.exit(f"SOURCES is csv+xml, csv or xml, not {sources}")
    clock, timings = time.perf_counter(), {}
    pool = None
    if "xml" in sources:
        # Forked before polars starts its threads; each worker imports polars for itself.
        pool = peer_xml.process_pool()
        parts = peer_xml.read_parts(f"{data}/presences.xml", pool)
    import polars as pl
    acts = read_actions(pl, data)
    # The CSV is read while the pool parses the XML; the CSV's lines come first, as impact reads them.
    frames = [read_attendance_csv(pl, data).collect()] if "csv" in sources else []
    timings["csv"] = time.perf_counter() - clock
    if pool is not None:
        frames += list(parts)
        pool.close()
        pool.join()
        timings["xml"] = time.perf_counter() - clock
    figures = reach(pl, acts, pl.concat(frames, how="vertical", rechunk=False).lazy())
    timings["total"] = time.perf_counter() - clock
    with open(out_csv, "w", encoding="utf-8") as f:
        f.write("indicator,period,territory,type,value\n")
        for (indicator, period, territory, t), v in sorted(figures.items()):
            f.write(f"{indicator},{period},{territory},{t},{v}\n")
    print(" ".join(f"{k}={v:.3f}" for k, v in timings.items()))


if __name__ == "__main__":
    check_arguments(__doc__)
    main()
