#!/usr/bin/env python3
"""The readers alone, for the CSV-only and XML-only comparisons of bench.py (no figures computed).

usage: readers.py polars-csv|lxml-iterparse|lxml-parts DATA_DIR   → prints the number of rows read

- polars-csv: polars `read_csv` of what the pipeline needs, on every core: the whole actions
  journal (Windows-1252, `;`, a title line) and the four columns of the attendance CSV it maps.
- lxml-iterparse: the partner XML by `iterparse(tag=Participant)` with `clear()`, the four values of
  each participant kept in lists (one thread; the usual streaming idiom).
- lxml-parts: the strongest peer's XML reader (peer_xml.py): parts parsed by a pool of two
  processes, values keyed in polars frames.
"""
import sys

import peer_xml
from usage import check_arguments


def polars_csv(data):
    import polars as pl
    acts = pl.read_csv(f"{data}/actions.csv", separator=";", encoding="cp1252", skip_rows=1, infer_schema=False)
    att = pl.read_csv(f"{data}/emargements.csv", columns=["Code action", "E-mail", "Profil", "Structure"], infer_schema=False)
    return acts.height + att.height


def lxml_iterparse(data):
    from lxml import etree
    ns = "{" + peer_xml.NS + "}"
    courriel, profil, structure = ns + "Courriel", ns + "Profil", ns + "Structure"
    codes, emails, profiles, organisations = [], [], [], []
    for _, element in etree.iterparse(f"{data}/presences.xml", events=("end",), tag=ns + "Participant",
                                      resolve_entities=False, huge_tree=True):
        codes.append(element.getparent().get("code"))
        emails.append(element.findtext(courriel))
        profiles.append(element.findtext(profil))
        organisations.append(element.findtext(structure))
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return len(codes)


def lxml_parts(data):
    with peer_xml.process_pool() as pool:
        return sum(f.height for f in peer_xml.read_parts(f"{data}/presences.xml", pool))


if __name__ == "__main__":
    check_arguments(__doc__)
    readers = {"polars-csv": polars_csv, "lxml-iterparse": lxml_iterparse, "lxml-parts": lxml_parts}
    if sys.argv[1] not in readers:
        sys.exit(f"reader: one of {', '.join(readers)}")
    print(readers[sys.argv[1]](sys.argv[2]))
