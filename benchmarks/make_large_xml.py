#!/usr/bin/env python3
"""Generates a large partner-XML attendance export for the XML benchmark.

usage: make_large_xml.py OUT_DIR SIZE_MB

Writes OUT_DIR/actions.csv (as make_large.py), OUT_DIR/presences.xml — sessions holding their
participants, namespaced, the session code on the parent element, as the bundled sample's
second attendance tool exports them — until it reaches SIZE_MB, and OUT_DIR/pipeline.yml.
"""
import random
import subprocess
import sys
from pathlib import Path

from usage import check_arguments

check_arguments(__doc__)

out = Path(sys.argv[1])
target = int(float(sys.argv[2]) * 1_000_000)
out.mkdir(parents=True, exist_ok=True)
# The actions export and vocabularies: reuse the CSV generator at a tiny size.
subprocess.run([sys.executable, str(Path(__file__).with_name("make_large.py")), str(out), "0.01"], check=True)
rng = random.Random(7)
PROFILES = ["Entreprise industrielle", "Collaborateur industriel", "Conseiller France Travail", "Mission Locale",
            "Chargé d'insertion SIAE", "Organisme de formation", "Candidat"]
FIRST = ["Camille", "Nicolas", "Sophie", "Karim", "Julie", "Thomas", "Nadia", "Pierre", "Claire", "Mehdi", "Émilie", "Inès"]
LAST = ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Roux", "Fournier", "Benali", "Guérin", "Lefèvre"]
with open(out / "presences.xml", "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<pres:Export xmlns:pres="urn:exemple:presences:1.0" outil="Présences+">\n')
    written = 0
    session = 0
    while written < target:
        t = rng.randrange(180)
        code = f"T{t:03d}-{rng.randrange(120):04d}"
        parts = [f'  <pres:Seance code="{code}" date="2025-03-{1 + session % 28:02d}">\n']
        for _ in range(rng.randint(20, 60)):
            person = rng.randrange(6000)
            first, last = FIRST[person % 12], LAST[person % 11]
            parts.append(f"    <pres:Participant><pres:Nom>{last}</pres:Nom><pres:Prenom>{first}</pres:Prenom>"
                         f"<pres:Courriel>{first.lower()}.{last.lower()}.{t}.{person}@exemple.fr</pres:Courriel>"
                         f"<pres:Structure>Société {person % 400}, site {t}</pres:Structure>"
                         f"<pres:Profil>{PROFILES[person % 7]}</pres:Profil></pres:Participant>\n")
        parts.append("  </pres:Seance>\n")
        chunk = "".join(parts)
        f.write(chunk)
        written += len(chunk.encode("utf-8"))
        session += 1
    f.write("</pres:Export>\n")
text = (out / "pipeline.yml").read_text(encoding="utf-8")
head = text.split("\n  - name: emargements")[0]
(out / "pipeline.yml").write_text(head + """
  - name: presences
    kind: attendance
    format: xml
    path: presences.xml
    xml: {record: /p:Export/p:Seance/p:Participant, namespaces: {p: "urn:exemple:presences:1.0"}}
    columns: {action_id: ../@code, person: p:Courriel, stakeholder_type: p:Profil, organisation: p:Structure}
""", encoding="utf-8")
