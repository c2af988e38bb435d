#!/usr/bin/env python3
"""The Python yardsticks of the workbook benchmark: read every row of a workbook's first sheet.

usage: read_workbook.py openpyxl|pandas FILE

openpyxl: load_workbook(read_only=True, data_only=True), iter_rows(values_only=True), counting rows
and non-empty cells (its streaming mode, the fastest way it has). pandas: read_excel (openpyxl
engine) into a DataFrame. Prints the row count (header included for openpyxl).
"""
import sys

from usage import check_arguments

check_arguments(__doc__)

engine, path = sys.argv[1], sys.argv[2]
if engine == "openpyxl":
    from openpyxl import load_workbook
    book = load_workbook(path, read_only=True, data_only=True)
    rows = cells = 0
    for row in book.worksheets[0].iter_rows(values_only=True):
        rows += 1
        cells += sum(1 for v in row if v is not None)
    print(rows, cells)
else:
    import pandas
    frame = pandas.read_excel(path, engine="openpyxl")
    print(len(frame) + 1)
