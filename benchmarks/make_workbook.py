#!/usr/bin/env python3
"""Generates a large attendance workbook for the workbook benchmark, and the CSV of the same rows.

usage: make_workbook.py OUT_DIR SHEET_MB

Runs make_large.py for the attendance rows (OUT_DIR/emargements.csv, actions.csv, pipeline.yml),
widens each row with six columns a sign-in sheet holds (address, postcode, town, date of birth,
present, minutes attended) so that SHEET_MB of XML fits in Excel's 1,048,576 rows, and writes the
same rows as OUT_DIR/emargements.csv again and as OUT_DIR/emargements.xlsx the way Excel does: one
worksheet of about SHEET_MB of XML uncompressed, every text in the shared-strings table, the
timestamp and birth date as date cells (built-in formats 22 and 14), a boolean and a number cell,
deflated. Also OUT_DIR/pipeline-xlsx.yml, the same pipeline reading the workbook (no format: the
bytes say it is one). Prints the sheet's uncompressed size and row count.
"""
import csv, subprocess, sys, zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from usage import check_arguments

check_arguments(__doc__)

EPOCH = datetime(1899, 12, 30)

out = Path(sys.argv[1])
sheet_mb = float(sys.argv[2])
# The widened rows' XML is about 3 times make_large.py's CSV.
subprocess.run([sys.executable, str(Path(__file__).with_name("make_large.py")), str(out), str(sheet_mb / 3.0)], check=True)
(out / "emargements.csv").rename(out / "narrow.csv")
EXTRA = ["Adresse", "Code postal", "Ville", "Né(e) le", "Présent", "Durée (min)"]
TOWNS = [("69002", "Lyon"), ("42000", "Saint-Étienne"), ("69100", "Villeurbanne"), ("38200", "Vienne"), ("01000", "Bourg-en-Bresse")]


def widen(number, record):
    """The six added columns of a data row: (CSV text, XML cell body and attributes) per column."""
    postcode, town = TOWNS[number % 5]
    born = datetime(1960 + number % 45, 1 + number % 12, 1 + number % 28)
    present = number % 9 != 0
    minutes = 30 + (number % 12) * 7.5
    return [(f"{number % 180} rue de la République", None), (postcode, None), (town, None),
            (born.strftime("%Y-%m-%d"), ("s", "2", repr((born - EPOCH).days))),
            ("VRAI" if present else "FAUX", ("t", "b", "1" if present else "0")),
            (f"{minutes:g}".replace(".", ","), ("s", "0", f"{minutes:g}"))]

strings, order = {}, []


def shared(text):
    index = strings.get(text)
    if index is None:
        index = strings[text] = len(order)
        order.append(text)
    return index


def column(i):
    return chr(ord("A") + i)


rows = 0
sheet_bytes = 0
with zipfile.ZipFile(out / "emargements.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
    book.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
    book.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    book.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Émargements" sheetId="1" r:id="rId1"/></sheets></workbook>')
    book.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
    book.writestr("xl/styles.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')
    with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet, \
            open(out / "narrow.csv", encoding="utf-8-sig", newline="") as source, \
            open(out / "emargements.csv", "w", encoding="utf-8-sig", newline="") as wide:
        table = csv.writer(wide, lineterminator="\r\n")

        def write(text):
            global sheet_bytes
            data = text.encode("utf-8")
            sheet_bytes += len(data)
            sheet.write(data)
        write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>')
        parts = []
        for number, record in enumerate(csv.reader(source), start=1):
            cells = []
            for i, value in enumerate(record):
                ref = f"{column(i)}{number}"
                if value == "":
                    continue
                if number > 1 and i == 0:
                    serial = (datetime.strptime(value, "%Y-%m-%d %H:%M:%S") - EPOCH).total_seconds() / 86400
                    cells.append(f'<c r="{ref}" s="1"><v>{serial!r}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
            extra = [(name, None) for name in EXTRA] if number == 1 else widen(number, record)
            for j, (text, typed) in enumerate(extra):
                ref = f"{column(len(record) + j)}{number}"
                if typed is None:
                    cells.append(f'<c r="{ref}" t="s"><v>{shared(text)}</v></c>')
                else:
                    kind, style_or_type, value = typed
                    attribute = f's="{style_or_type}"' if kind == "s" else f't="{style_or_type}"'
                    cells.append(f'<c r="{ref}" {attribute}><v>{value}</v></c>')
            table.writerow(record + [text for text, _ in extra])
            parts.append(f'<row r="{number}">{"".join(cells)}</row>')
            rows = number
            if len(parts) >= 10_000:
                write("".join(parts))
                parts = []
            if rows == 1_048_576 or sheet_bytes >= sheet_mb * 1e6:
                break
        write("".join(parts) + "</sheetData></worksheet>")
    with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
        table.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(order)}" uniqueCount="{len(order)}">'.encode())
        for start in range(0, len(order), 10_000):
            table.write("".join(f"<si><t xml:space=\"preserve\">{escape(s)}</t></si>" for s in order[start:start + 10_000]).encode("utf-8"))
        table.write(b"</sst>")

(out / "narrow.csv").unlink()
text = (out / "pipeline.yml").read_text(encoding="utf-8")
(out / "pipeline-xlsx.yml").write_text(text.replace("path: emargements.csv", "path: emargements.xlsx").replace("folder: out", "folder: out-xlsx"),
                                       encoding="utf-8")
(out / "sheet.txt").write_text(f"{sheet_bytes}\n{rows}\n")
print(f"sheet XML: {sheet_bytes / 1e6:.0f} MB uncompressed, {rows:,} rows, {len(order):,} shared strings; "
      f"workbook {(out / 'emargements.xlsx').stat().st_size / 1e6:.0f} MB; CSV {(out / 'emargements.csv').stat().st_size / 1e6:.0f} MB")
