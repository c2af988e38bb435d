#!/usr/bin/env python3
"""Checks a peer script's reach figures against impact's indicators.csv.

usage: compare.py INDICATORS_CSV REFERENCE_CSV   → prints "compared N rows, M differ" (exit 1 if M > 0)

Every published row of impact (status ok, no breakdown) for the reach indicators the peer writes
(actions, participations, participants, and organisations when present) must be in the peer's file
with the same value; rows impact suppressed (fewer than k persons) are skipped. And every non-zero
row of the peer must be a row of impact's file (published or suppressed): no figure impact lacks.
"""
import csv
import sys

from usage import check_arguments

check_arguments(__doc__)

REACH = ("actions", "participations", "participants", "organisations")
ref = {}
with open(sys.argv[2], encoding="utf-8") as f:
    for r in csv.DictReader(f):
        ref[(r["indicator"], r["period"], r["territory"], r["type"])] = int(r["value"])
indicators = {k[0] for k in ref} & set(REACH)
ours, rows = {}, set()
with open(sys.argv[1], encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["indicator"] in indicators and r["dimension"] == "":
            k = (r["indicator"], r["period"], r["territory"], r["stakeholder_type"])
            rows.add(k)
            if r["status"] == "ok":
                ours[k] = round(float(r["value"]))
bad = [(k, v, ref.get(k)) for k, v in ours.items() if ref.get(k) != v]
bad += [(k, None, v) for k, v in ref.items() if k[0] in indicators and v != 0 and k not in rows]
print(f"compared {len(ours)} rows ({', '.join(sorted(indicators))}), {len(bad)} differ"
      + "".join(f"\n  {k}: impact {v}, peer {w}" for k, v, w in bad[:5]))
sys.exit(1 if bad or not ours else 0)
