#!/usr/bin/env python3
"""Checks a reference script's reach figures against impact's indicators.csv.

usage: compare.py INDICATORS_CSV REFERENCE_CSV   → prints "compared N rows, M differ" (exit 1 if M > 0)

Every published row of impact (status ok, no breakdown) for actions, participations and participants
must be in the reference with the same value; rows impact suppressed (fewer than k persons) are skipped.
"""
import csv
import sys

from usage import check_arguments

check_arguments(__doc__)

ours = {}
with open(sys.argv[1], encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["indicator"] in ("actions", "participations", "participants") and r["dimension"] == "" and r["status"] == "ok":
            ours[(r["indicator"], r["period"], r["territory"], r["stakeholder_type"])] = round(float(r["value"]))
ref = {}
with open(sys.argv[2], encoding="utf-8") as f:
    for r in csv.DictReader(f):
        ref[(r["indicator"], r["period"], r["territory"], r["type"])] = int(r["value"])
bad = [(k, v, ref.get(k)) for k, v in ours.items() if ref.get(k) != v]
print(f"compared {len(ours)} rows, {len(bad)} differ" + "".join(f"\n  {k}: impact {v}, reference {w}" for k, v, w in bad[:5]))
sys.exit(1 if bad or not ours else 0)
