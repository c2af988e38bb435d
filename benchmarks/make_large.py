#!/usr/bin/env python3
"""Generates large, realistic exports for the benchmark: a national roll-up of the programme.

usage: make_large.py OUT_DIR SIZE_MB

Writes OUT_DIR/actions.csv (';', Windows-1252, CRLF, dd/mm/yyyy, a title line) and
OUT_DIR/emargements.csv (',', UTF-8 with BOM, quoted fields with commas and doubled quotes) until
the attendance file reaches SIZE_MB, plus OUT_DIR/pipeline.yml describing them. ~180 territories,
~120 actions each, people attending several actions, 0.5 % bad rows and 1 % duplicates, as in the
bundled sample. Deterministic for a given size.
"""
import random
import sys
from pathlib import Path

from usage import check_arguments

check_arguments(__doc__)

out = Path(sys.argv[1])
target = int(float(sys.argv[2]) * 1_000_000)
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(42)

TERRITORIES = [f"Territoire d'industrie n°{i:03d}" for i in range(180)]
TYPES = ["ZI Tour", "Vis ma vie", "Visite SIAE", "Ambassadeurs", "Vidéo marque employeur"]
PROFILES = ["Entreprise industrielle", "Collaborateur industriel", "Conseiller France Travail", "Mission Locale",
            "Chargé d'insertion SIAE", "Organisme de formation", "Candidat"]
FIRST = ["Camille", "Nicolas", "Sophie", "Karim", "Julie", "Thomas", "Nadia", "Pierre", "Claire", "Mehdi", "Émilie", "Inès"]
LAST = ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Roux", "Fournier", "Benali", "Guérin", "Lefèvre"]

actions = []
lines = ["Export national — journal des actions;;;;;;;;", "N° action;Date;Territoire;Type d'action;Organisateur;Durée (h);Nb industriels;Nb prescripteurs;Nb candidats"]
for t, territory in enumerate(TERRITORIES):
    for i in range(120):
        aid = f"T{t:03d}-{i:04d}"
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2024, 2025])
        kind = TYPES[i % 5]
        counts = ";;" + (str(rng.randint(5, 40)) if kind.startswith("Vidéo") else "")
        lines.append(f"{aid};{day:02d}/{month:02d}/{year};{territory};{kind};UIMM;3,5;{counts}")
        actions.append((aid, t))
(out / "actions.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

# People: ~6,000 per territory, each attending a few actions of their territory.
with open(out / "emargements.csv", "w", encoding="utf-8-sig", newline="") as f:
    f.write("Horodateur,Code action,Nom,Prénom,E-mail,Téléphone,Structure,Profil,Commentaire\r\n")
    written = 0
    row = 0
    block = []
    while written < target:
        t = rng.randrange(180)
        aid = f"T{t:03d}-{rng.randrange(120):04d}"
        person = rng.randrange(6000)
        first, last = FIRST[person % 12], LAST[person % 11]
        email = f"{first.lower()}.{last.lower()}.{t}.{person}@exemple.fr"
        profile = PROFILES[person % 7]
        org = f"\"Société {person % 400}, site {t}\""
        comment = "\"Très bien, \"\"à refaire\"\"\"" if row % 5 == 0 else ""
        if row % 200 == 7:
            aid = "INCONNUE-1"  # unknown action: rejected
        if row % 100 == 3 and block:
            line = block[-1]  # exported twice
        else:
            line = f"2025-03-{1 + row % 28:02d} 10:{row % 60:02d}:00,{aid},{last},{first},{email},06 00 00 00 00,{org},{profile},{comment}\r\n"
        block.append(line)
        row += 1
        if len(block) >= 10_000:
            chunk = "".join(block)
            f.write(chunk)
            written += len(chunk.encode("utf-8"))
            block = []
    if block:
        f.write("".join(block))

(out / "pipeline.yml").write_text("""version: 1
title: "Benchmark"
periods: {scheme: calendar}
quality: {max_reject_rate: 0.05}
outputs: {folder: out}
vocabularies:
  territory:
""" + "".join(f"    t{i:03d}: [\"{name}\"]\n" for i, name in enumerate(TERRITORIES)) + """  stakeholder_type:
    industriel: [Collaborateur industriel]
    prescripteur: [Conseiller France Travail, Chargé d'insertion SIAE]
    candidat: [Candidat]
  action_type:
    ambassadeur: [Ambassadeurs]
sources:
  - name: actions
    kind: actions
    path: actions.csv
    columns: {action_id: N° action, date: Date, territory: Territoire, action_type: Type d'action, organiser: Organisateur, duration_hours: Durée (h)}
    counts: {industriel: Nb industriels, prescripteur: Nb prescripteurs, candidat: Nb candidats}
  - name: emargements
    kind: attendance
    path: emargements.csv
    columns: {action_id: Code action, person: E-mail, stakeholder_type: Profil, organisation: Structure}
""", encoding="utf-8")
