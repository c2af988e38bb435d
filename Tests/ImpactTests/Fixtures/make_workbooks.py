#!/usr/bin/env python3
"""Workbook fixtures for WorkbookTests (run: benchmarks/.venv/bin/python make_workbooks.py).

Needs openpyxl 3.1.5 and odfpy 1.4.1 (pip install openpyxl odfpy). Writes beside this file:

- questionnaire_conseillers.xlsx / .ods: inputs/questionnaire_conseillers_2024-2025.csv as a
  spreadsheet user would save it: a "Notice" sheet first, then "Réponses" with a merged title row
  and a blank row above the header, "Horodateur" as real date-time cells (format dd/mm/yyyy hh:mm),
  the comment column hidden, and (ods) the blank rows and cells LibreOffice repeats to the sheet's end.
- hostile/*: packages a reader must refuse in one line, each made here byte by byte:
  hang.xlsx (a deflate stream that runs past its entry to the end of the file: ZIPFoundation's own
  extract loops forever on it), crc.xlsx (a wrong CRC-32), traversal.xlsx (an entry named
  ../../evil.xml), absolute.xlsx (/tmp/evil.xml), bomb-ratio.xlsx (a sheet that declares 120 MiB
  from ~117 KiB), bomb-lying.xlsx (the same bytes declaring 1 MiB), legacy.xls (an OLE file with a
  Workbook stream), encrypted.xlsx (an OLE file with EncryptionInfo and EncryptedPackage),
  archive.zip (a ZIP holding a text file), binary.xlsb (a ZIP whose workbook is xl/workbook.bin).
"""
import csv, datetime, io, struct, zipfile, zlib
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
ROWS = list(csv.reader(open(ROOT / "inputs/questionnaire_conseillers_2024-2025.csv", encoding="utf-8", newline="")))
HEADER, DATA = ROWS[0], ROWS[1:]
TITLE = "Questionnaire conseillers 2024-2025 (export de la plateforme d'enquête)"


def stamp(text):
    return datetime.datetime.strptime(text, "%d/%m/%Y %H:%M")


def xlsx(path):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    book = Workbook()
    notice = book.active
    notice.title = "Notice"
    notice["A1"] = "Réponses des conseillers, avant et après les actions."
    sheet = book.create_sheet("Réponses")
    sheet["A1"] = TITLE
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append([])
    sheet.append(HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in DATA:
        values = [stamp(row[0])] + [v if v != "" else None for v in row[1:]]
        sheet.append(values)
        sheet.cell(row=sheet.max_row, column=1).number_format = "dd/mm/yyyy hh:mm"
    sheet.column_dimensions["L"].hidden = True
    book.save(path)


def ods(path):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow, TableCell, CoveredTableCell
    from odf.text import P
    doc = OpenDocumentSpreadsheet()

    def text_cell(value, **extra):
        cell = TableCell(valuetype="string", **extra)
        cell.addElement(P(text=value))
        return cell

    notice = Table(name="Notice")
    row = TableRow()
    row.addElement(text_cell("Réponses des conseillers, avant et après les actions."))
    notice.addElement(row)
    doc.spreadsheet.addElement(notice)
    sheet = Table(name="Réponses")
    title = TableRow()
    title.addElement(text_cell(TITLE, numbercolumnsspanned=len(HEADER)))
    title.addElement(CoveredTableCell(numbercolumnsrepeated=len(HEADER) - 1))
    sheet.addElement(title)
    sheet.addElement(TableRow())
    header = TableRow()
    for name in HEADER:
        header.addElement(text_cell(name))
    sheet.addElement(header)
    for values in DATA:
        row = TableRow()
        when = stamp(values[0])
        cell = TableCell(valuetype="date", datevalue=when.strftime("%Y-%m-%dT%H:%M:%S"))
        cell.addElement(P(text=when.strftime("%d/%m/%Y %H:%M")))
        row.addElement(cell)
        for value in values[1:]:
            row.addElement(text_cell(value) if value else TableCell())
        row.addElement(TableCell(numbercolumnsrepeated=1012))  # LibreOffice's blank cells to the row's end
        sheet.addElement(row)
    # LibreOffice's blank rows to the sheet's end: expanded lazily, they cost nothing.
    blank = TableRow(numberrowsrepeated=1_048_576 - 3 - len(DATA))
    blank.addElement(TableCell(numbercolumnsrepeated=1024))
    sheet.addElement(blank)
    doc.spreadsheet.addElement(sheet)
    doc.save(str(path))


# Byte-level packages ---------------------------------------------------------------------------

CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         b'<row r="1"><c r="A1" t="inlineStr"><is><t>Code action</t></is></c></row></sheetData></worksheet>')


def package(entries):
    """A ZIP from (name, data, method, crc, compressed, declared size) tuples, written by hand."""
    out, directory = b"", b""
    for name, data, method, crc, size in entries:
        name = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(name), 0)
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(data), size,
                                 len(name), 0, 0, 0, 0, 0, len(out)) + name
        out += header + name + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return out + directory + end


def stored(name, data, crc=None):
    return (name, data, 0, zlib.crc32(data) if crc is None else crc, len(data))


def deflated(name, data, declared=None):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return (name, raw, 8, zlib.crc32(data), len(data) if declared is None else declared)


def workbook_with(*extra, sheet=None):
    return [stored("[Content_Types].xml", CONTENT_TYPES), stored("_rels/.rels", RELS), stored("xl/workbook.xml", WORKBOOK),
            stored("xl/_rels/workbook.xml.rels", WORKBOOK_RELS), sheet or stored("xl/worksheets/sheet1.xml", SHEET), *extra]


def compound_file(names):
    """A minimal OLE compound file (MS-CFB, 512-byte sectors) whose directory lists `names`."""
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9)   # minor/major version, byte order, sector shift
    struct.pack_into("<H", header, 0x20, 6)                       # mini sector shift
    struct.pack_into("<IIIIII", header, 0x2C, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0)  # FAT sectors, first dir sector…
    struct.pack_into("<II", header, 0x44, 0xFFFFFFFE, 0)          # no DIFAT sectors
    struct.pack_into("<I", header, 0x4C, 0)                       # FAT at sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)       # sector 0: FAT, sector 1: directory (end)
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry"] + names[:3]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128:i * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, i * 128 + 0x40, len(encoded), 5 if i == 0 else 2)
    return bytes(header) + bytes(fat) + bytes(directory)


def hostile(folder):
    folder.mkdir(exist_ok=True)
    # A non-final stored block claiming 65,535 bytes: inflate reads on into the directory and the file's end.
    runaway = ("xl/worksheets/sheet1.xml", bytes([0x00, 0xFF, 0xFF, 0x00, 0x00]) + b"<worksheet/>", 8, 0, 65535)
    files = {
        "hang.xlsx": package(workbook_with(sheet=runaway)),
        "crc.xlsx": package(workbook_with(sheet=stored("xl/worksheets/sheet1.xml", SHEET, crc=0x12345678))),
        "traversal.xlsx": package(workbook_with(stored("../../evil.xml", b"<evil/>"))),
        "absolute.xlsx": package(workbook_with(stored("/tmp/evil.xml", b"<evil/>"))),
        "bomb-ratio.xlsx": package(workbook_with(sheet=deflated("xl/worksheets/sheet1.xml", b" " * (120 << 20)))),
        "bomb-lying.xlsx": package(workbook_with(sheet=deflated("xl/worksheets/sheet1.xml", b" " * (120 << 20), declared=1 << 20))),
        "legacy.xls": compound_file(["Workbook", "\x05SummaryInformation"]),
        "encrypted.xlsx": compound_file(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]),
        "archive.zip": package([stored("readme.txt", b"hello")]),
        "binary.xlsb": package([stored("[Content_Types].xml", CONTENT_TYPES),
                                stored("_rels/.rels", RELS.replace(b"xl/workbook.xml", b"xl/workbook.bin")),
                                stored("xl/workbook.bin", b"\x83\x01\x00")]),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    xlsx(HERE / "questionnaire_conseillers.xlsx")
    ods(HERE / "questionnaire_conseillers.ods")
    hostile(HERE / "hostile")
