#!/usr/bin/env python3
"""The naive peer of the benchmark (peer.py is the strongest): the reach figures of a
make_national.py data set as one would first write them with pandas or polars.

usage: reference.py pandas|polars DATA_DIR OUT_CSV

Reads the actions journal (Windows-1252, ';', a title line, dd/mm/yyyy), the attendance CSV and the
partner-XML attendance export (ElementTree iterparse: neither library reads namespaced XML by
streaming), drops lines naming no known action, de-duplicates (action, person), and writes
actions / participations / participants per calendar year x territory x stakeholder type with the
ALL roll-ups and the head counts of actions without an attendance sheet, as impact defines them.
"""
import re
import sys
import time
import xml.etree.ElementTree as ET

from usage import check_arguments

check_arguments(__doc__)

engine, data, out_csv = sys.argv[1], sys.argv[2], sys.argv[3]
PROFILE = {"Entreprise industrielle": "industriel", "Collaborateur industriel": "industriel",
           "Conseiller France Travail": "prescripteur", "Mission Locale": "prescripteur",
           "Chargé d'insertion SIAE": "prescripteur", "Organisme de formation": "prescripteur", "Candidat": "candidat"}
TYPES = ["industriel", "prescripteur", "candidat"]
COUNT_COLUMNS = {"industriel": "Nb industriels", "prescripteur": "Nb prescripteurs", "candidat": "Nb candidats"}
NS = "{urn:exemple:presences:1.0}"
timings = {}


def xml_attendance():
    codes, emails, profiles = [], [], []
    code = None
    for event, element in ET.iterparse(f"{data}/presences.xml", events=("start", "end")):
        if event == "start" and element.tag == NS + "Seance":
            code = element.get("code")
        elif event == "end" and element.tag == NS + "Participant":
            codes.append(code)
            emails.append(element.findtext(NS + "Courriel"))
            profiles.append(element.findtext(NS + "Profil"))
            element.clear()
    return codes, emails, profiles


def territory_id(label):
    return "t" + re.search(r"(\d+)$", label).group(1)


clock = time.perf_counter()
if engine == "pandas":
    import pandas as pd
    acts = pd.read_csv(f"{data}/actions.csv", sep=";", encoding="cp1252", skiprows=1, dtype=str)
    acts["period"] = acts["Date"].str[-4:]
    acts["territory"] = acts["Territoire"].map(territory_id)
    acts = acts.rename(columns={"N° action": "action"})
    for t, c in COUNT_COLUMNS.items():
        acts[t] = pd.to_numeric(acts[c], errors="coerce").fillna(0).astype(int)
    csv = pd.read_csv(f"{data}/emargements.csv", encoding="utf-8-sig", usecols=["Code action", "E-mail", "Profil"], dtype=str)
    csv.columns = ["action", "person", "profile"]
    timings["read_csv"] = time.perf_counter() - clock
    clock = time.perf_counter()
    codes, emails, profiles = xml_attendance()
    xml = pd.DataFrame({"action": codes, "person": emails, "profile": profiles})
    timings["read_xml"] = time.perf_counter() - clock
    clock = time.perf_counter()
    att = pd.concat([csv, xml], ignore_index=True)
    att["person"] = att["person"].str.strip().str.lower()
    att["type"] = att["profile"].map(PROFILE)
    att = att.merge(acts[["action", "period", "territory"]], on="action", how="inner")
    att = att.drop_duplicates(["action", "person"])
    listed = set(att["action"])
    counted = acts[~acts["action"].isin(listed)]
    rows = []
    for territory_all in (False, True):
        for type_all in (False, True):
            keys = ["period"] + ([] if territory_all else ["territory"]) + ([] if type_all else ["type"])
            g = att.groupby(keys)
            part = g.size().rename("participations").to_frame()
            part["participants"] = g["person"].nunique()
            part["actions"] = g["action"].nunique()
            part = part.reset_index()
            if territory_all:
                part["territory"] = "ALL"
            if type_all:
                part["type"] = "ALL"
            rows.append(part)
    table = pd.concat(rows, ignore_index=True)
    # Actions without a sheet: their head counts, and the actions themselves in the ALL-type rows.
    extra = []
    for territory_all in (False, True):
        for t in TYPES + ["ALL"]:
            c = counted.copy()
            c["n"] = c[TYPES].sum(axis=1) if t == "ALL" else c[t]
            c = c[(c["n"] > 0) | (t == "ALL")]
            keys = ["period"] + ([] if territory_all else ["territory"])
            e = c.groupby(keys).agg(declared=("n", "sum"), count_only=("action", "size")).reset_index()
            if territory_all:
                e["territory"] = "ALL"
            e["type"] = t
            extra.append(e)
    extra = pd.concat(extra, ignore_index=True)
    table = table.merge(extra, on=["period", "territory", "type"], how="outer").fillna(0)
    table["participations"] += table["declared"]
    table["participants"] += table["declared"]
    table["actions"] += table["count_only"]
    long = table.melt(id_vars=["period", "territory", "type"], value_vars=["actions", "participations", "participants"],
                      var_name="indicator", value_name="value")
    long["value"] = long["value"].astype(int)
    long[["indicator", "period", "territory", "type", "value"]].to_csv(out_csv, index=False)
else:
    import polars as pl
    acts = pl.read_csv(f"{data}/actions.csv", separator=";", encoding="cp1252", skip_rows=1, infer_schema_length=0)
    acts = acts.rename({"N° action": "action"}).with_columns(
        pl.col("Date").str.slice(-4).alias("period"),
        ("t" + pl.col("Territoire").str.extract(r"(\d+)$")).alias("territory"),
        *[pl.col(c).cast(pl.Int64, strict=False).fill_null(0).alias(t) for t, c in COUNT_COLUMNS.items()])
    csv = pl.read_csv(f"{data}/emargements.csv", columns=["Code action", "E-mail", "Profil"], infer_schema_length=0)
    csv = csv.rename({"Code action": "action", "E-mail": "person", "Profil": "profile"})
    timings["read_csv"] = time.perf_counter() - clock
    clock = time.perf_counter()
    codes, emails, profiles = xml_attendance()
    xml = pl.DataFrame({"action": codes, "person": emails, "profile": profiles})
    timings["read_xml"] = time.perf_counter() - clock
    clock = time.perf_counter()
    att = pl.concat([csv, xml]).with_columns(pl.col("person").str.strip_chars().str.to_lowercase(),
                                             pl.col("profile").replace_strict(PROFILE, default=None).alias("type"))
    att = att.join(acts.select("action", "period", "territory"), on="action", how="inner").unique(["action", "person"], keep="first")
    listed = att.select("action").unique()
    counted = acts.join(listed, on="action", how="anti")
    rows = []
    for territory_all in (False, True):
        for type_all in (False, True):
            keys = ["period"] + ([] if territory_all else ["territory"]) + ([] if type_all else ["type"])
            part = att.group_by(keys).agg(pl.len().alias("participations"), pl.col("person").n_unique().alias("participants"),
                                          pl.col("action").n_unique().alias("actions"))
            if territory_all:
                part = part.with_columns(pl.lit("ALL").alias("territory"))
            if type_all:
                part = part.with_columns(pl.lit("ALL").alias("type"))
            rows.append(part.select("period", "territory", "type", "participations", "participants", "actions"))
    table = pl.concat(rows, how="vertical_relaxed")
    extra = []
    for territory_all in (False, True):
        for t in TYPES + ["ALL"]:
            n = pl.sum_horizontal(TYPES) if t == "ALL" else pl.col(t)
            c = counted.with_columns(n.alias("n"))
            if t != "ALL":
                c = c.filter(pl.col("n") > 0)
            keys = ["period"] + ([] if territory_all else ["territory"])
            e = c.group_by(keys).agg(pl.col("n").sum().alias("declared"), pl.len().alias("count_only"))
            if territory_all:
                e = e.with_columns(pl.lit("ALL").alias("territory"))
            extra.append(e.with_columns(pl.lit(t).alias("type")).select("period", "territory", "type", "declared", "count_only"))
    extra = pl.concat(extra, how="vertical_relaxed")
    table = table.join(extra, on=["period", "territory", "type"], how="full", coalesce=True).fill_null(0).with_columns(
        (pl.col("participations") + pl.col("declared")).alias("participations"),
        (pl.col("participants") + pl.col("declared")).alias("participants"),
        (pl.col("actions") + pl.col("count_only")).alias("actions"))
    long = table.unpivot(index=["period", "territory", "type"], on=["actions", "participations", "participants"],
                         variable_name="indicator", value_name="value")
    long.select("indicator", "period", "territory", "type", pl.col("value").cast(pl.Int64)).write_csv(out_csv)
timings["aggregate"] = time.perf_counter() - clock
print(" ".join(f"{k}={v:.3f}" for k, v in timings.items()))
