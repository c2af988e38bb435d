#!/usr/bin/env python3
"""Generates a national roll-up in every format the pipeline reads, at a chosen size.

usage: make_national.py OUT_DIR SIZE_MB

About 70 % of SIZE_MB is the attendance CSV (',', UTF-8 + BOM, quoted fields, 0.5 % bad rows, 1 %
exported twice: make_large.py), 25 % a namespaced partner-XML attendance export (make_large_xml.py),
the rest survey answers: advisers before/after as SpreadsheetML (Excel 2003 XML, "Avant"/"Après"
in a column, labels as answers, "NSP" missing) and candidates before/after as ODK instances (one
file per submission, up to 2,000). The actions journal is the Windows-1252 ';' CSV with a title
line. OUT_DIR/pipeline.yml reads them all. Deterministic for a given size.
"""
import random
import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from usage import check_arguments

check_arguments(__doc__)

out = Path(sys.argv[1])
size = float(sys.argv[2])
here = Path(__file__).resolve().parent
out.mkdir(parents=True, exist_ok=True)
subprocess.run([sys.executable, str(here / "make_large.py"), str(out), str(size * 0.70)], check=True)
tmp = out / "xml-tmp"
subprocess.run([sys.executable, str(here / "make_large_xml.py"), str(tmp), str(size * 0.25)], check=True)
shutil.move(str(tmp / "presences.xml"), str(out / "presences.xml"))
shutil.rmtree(tmp)

rng = random.Random(11)
LABELS = ["Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord", "Plutôt d'accord", "Tout à fait d'accord"]
ITEMS = [("q1", "Q1. L'industrie offre une grande diversité de métiers", "attractivite"),
         ("q2", "Q2. Les salaires de l'industrie sont attractifs", "attractivite"),
         ("q3", "Q3. Je connais les métiers industriels de mon territoire", "connaissance"),
         ("q4", "Q4. Je sais orienter un candidat vers l'industrie", "connaissance")]


def score(mean):
    return max(1, min(5, round(rng.gauss(mean, 1.0))))


# Advisers: SpreadsheetML, one row per answer (before and after), labels as answers.
target = int(size * 0.04 * 1_000_000)
header = ["Identifiant", "Territoire", "Horodateur", "Vague"] + [q for _, q, _ in ITEMS] + ["Commentaire"]


def row(cells):
    return "<Row>" + "".join(f'<Cell><Data ss:Type="String">{escape(c)}</Data></Cell>' for c in cells) + "</Row>\n"


with open(out / "questionnaire_conseillers.xml", "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
            '<Worksheet ss:Name="Réponses"><Table>\n' + row(header))
    written, n = 0, 0
    while written < target:
        t = rng.randrange(180)
        who = f"C-{t:03d}-{n:06d}"
        date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025"
        chunk = ""
        for wave, mean in (("Avant", 2.6), ("Après", 3.3)):
            answers = [LABELS[score(mean) - 1] if rng.random() > 0.05 else "NSP" for _ in ITEMS]
            chunk += row([who, f"Territoire d'industrie n°{t:03d}", date, wave] + answers + [""])
        f.write(chunk)
        written += len(chunk.encode("utf-8"))
        n += 1
    f.write("</Table></Worksheet></Workbook>\n")

# Candidates: ODK instances, one submission per file (pre and post of the same candidate).
odk = out / "odk"
odk.mkdir(exist_ok=True)
count = max(20, min(2000, int(size * 20)))
for i in range(count):
    t = rng.randrange(180)
    wave = "pre" if i % 2 == 0 else "post"
    who = f"K-{t:03d}-{i // 2:05d}"
    answers = "".join(f"<{q}>{score(2.8 if wave == 'pre' else 3.4)}</{q}>" for q, _, _ in ITEMS)
    (odk / f"instance-{i:05d}.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<data id="declic_candidats" version="3">'
        f"<identite><code>{who}</code><territoire>Territoire d'industrie n°{t:03d}</territoire>"
        f"<date>2025-0{1 + i % 9}-1{i % 10}</date><vague>{wave}</vague></identite>"
        f"<reponses>{answers}</reponses><meta><instanceID>uuid:{i:08d}-0000-4000-8000-000000000000</instanceID></meta></data>\n",
        encoding="utf-8")

text = (out / "pipeline.yml").read_text(encoding="utf-8")
questionnaire = """questionnaire:
  dimensions:
    attractivite: {label: Attractivité des métiers industriels}
    connaissance: {label: Connaissance des métiers}
  items:
""" + "".join(f"    {q}: {{label: \"{label[4:]}\", dimension: {d}}}\n" for q, label, d in ITEMS)
head, sources = text.split("sources:\n")
presences = (here / "make_large_xml.py").read_text(encoding="utf-8").split('"""\n  - name: presences')[1].split('""", encoding')[0]
(out / "pipeline.yml").write_text(head + questionnaire + "sources:\n" + sources + "  - name: presences" + presences + """
  - name: questionnaire-conseillers
    kind: responses
    format: spreadsheetml
    path: questionnaire_conseillers.xml
    stakeholder_type: prescripteur
    wave: column
    columns: {respondent: Identifiant, territory: Territoire, date: Horodateur, wave: Vague, comment: Commentaire}
    items:
""" + "".join(f"      {q}: \"{label}\"\n" for q, label, _ in ITEMS) + """
  - name: questionnaire-candidats
    kind: responses
    format: odk
    path: odk/
    stakeholder_type: candidat
    wave: column
    columns: {respondent: identite/code, territory: identite/territoire, date: identite/date, wave: identite/vague}
    items: {""" + ", ".join(f"{q}: reponses/{q}" for q, _, _ in ITEMS) + "}\n", encoding="utf-8")
