#!/usr/bin/env python3
"""Checks a report printed to PDF (poppler-utils' pdfinfo and pdftotext, nothing else).

    .ci/check-pdf.py report.pdf --pages 6-10 --expect "Parcours des candidats" --expect ...

Fails (exit 1, one line per problem) unless: the page count is within the range; every page is A4
(595 x 842 pt, within 1 pt); no word ends beyond the right margin (page width minus MARGIN_MM, the
report's print CSS) nor starts left of the left one; the text was not shrunk (Chromium scales the
whole document down when something is wider than the page, which keeps every word inside the
margins: the median word height, 11 pt at the 9.5 pt body size, must stay above MIN_HEIGHT); every
--expect phrase (a chart title, say) is found in the text.
"""
import argparse
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

A4 = (595.28, 841.89)
MARGIN_MM = 15  # @page margin left and right in HTMLStyle.swift
TOLERANCE = 1.0  # points, for the page size
MIN_HEIGHT = 10.0  # points: median word-box height (11.05 pt measured; 7.5 pt once shrunk to fit)
OVERSHOOT = 2.0  # points a glyph's box may pass the margin (right-aligned page numbers reach 0.1 pt past it)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf")
    parser.add_argument("--pages", default="1-200", help="accepted page count, MIN-MAX")
    parser.add_argument("--expect", action="append", default=[], help="a phrase the text must hold")
    args = parser.parse_args()
    low, high = (int(x) for x in args.pages.split("-"))
    problems = []

    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", args.pdf], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    if not low <= pages <= high:
        problems.append(f"{pages} pages, expected {low} to {high}")
    for number, width, height in re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info, re.M):
        if abs(float(width) - A4[0]) > TOLERANCE or abs(float(height) - A4[1]) > TOLERANCE:
            problems.append(f"page {number} is {width} x {height} pt, not A4")

    margin = MARGIN_MM / 25.4 * 72
    bbox = subprocess.run(["pdftotext", "-bbox", args.pdf, "-"], capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(re.sub(r'xmlns="[^"]+"', "", bbox, count=1))
    words, heights = [], []
    for number, page in enumerate(root.iter("page"), start=1):
        right = float(page.get("width")) - margin + OVERSHOOT
        left = margin - OVERSHOOT
        for word in page.iter("word"):
            words.append(word.text or "")
            heights.append(float(word.get("yMax")) - float(word.get("yMin")))
            x_min, x_max = float(word.get("xMin")), float(word.get("xMax"))
            if x_max > right or x_min < left:
                problems.append(f"page {number}: '{word.text}' spans x {x_min:.1f}–{x_max:.1f} pt, outside the margins ({left:.1f}–{right:.1f})")
    heights.sort()
    if heights and heights[len(heights) // 2] < MIN_HEIGHT:
        problems.append(f"median word height {heights[len(heights) // 2]:.1f} pt < {MIN_HEIGHT}: the page was shrunk to fit something too wide")
    text = " ".join(words)
    for phrase in args.expect:
        if " ".join(phrase.split()) not in text:
            problems.append(f"'{phrase}' not found in the text")

    for problem in problems:
        print(f"{args.pdf}: {problem}")
    if problems:
        return 1
    print(f"{args.pdf}: {pages} pages, A4, every word within the margins, {len(args.expect)} expected phrases found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
