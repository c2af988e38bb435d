"""The strongest peer's partner-XML reader (lxml), shared by peer.py and readers.py.

`read_parts` reads make_large_xml.py's export (sessions holding their participants, namespaced):
the file is cut at `<Seance` boundaries found by a byte scan; each part (about 4 MB, with the
document's head and the root's end tag around it) is parsed by `etree.fromstring` in a pool of
processes and turned into tab-separated lines by a compiled XSLT (C loops, no Python object per
element), which polars reads. Measured on an 8 MB part: parsing 0.065 s (xmllint --stream's pace),
the XSLT 0.054 s, where four XPath queries took 0.10 s, and iterparse 0.10 s for the parse alone.
A value holding a tab or a line break would shift the lines: then the part is read again by XPath,
one participant at a time. Cutting by bytes assumes no DTD, entity or CDATA section spans a
boundary: true of this export, checked (a part that does not parse stops the run), not true of
every XML file.
The frames, in document order, hold the columns `peer.py` joins: action (the session code),
person and organisation (u64 keys, see `key`), type (stakeholder type index in TYPES; null when
the profile is unknown).
"""
import io
import os
import re

from lxml import etree

NS = "urn:exemple:presences:1.0"
TYPES = ["industriel", "prescripteur", "candidat"]
PROFILE = {"Entreprise industrielle": 0, "Collaborateur industriel": 0,
           "Conseiller France Travail": 1, "Mission Locale": 1, "Chargé d'insertion SIAE": 1,
           "Organisme de formation": 1, "Candidat": 2}
PART_BYTES = 4 << 20  # 6 parts at 25 MB: two workers stay balanced
COLUMNS = ["action", "person", "type", "organisation"]
# One line per participant: session code, e-mail, profile, organisation (the pipeline's XPaths).
TSV = b"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:p="urn:exemple:presences:1.0">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="/"><xsl:for-each select="p:Export/p:Seance"><xsl:variable name="code" select="@code"/>
<xsl:for-each select="p:Participant"><xsl:value-of select="$code"/><xsl:text>&#9;</xsl:text>
<xsl:value-of select="p:Courriel"/><xsl:text>&#9;</xsl:text><xsl:value-of select="p:Profil"/><xsl:text>&#9;</xsl:text>
<xsl:value-of select="p:Structure"/><xsl:text>&#10;</xsl:text></xsl:for-each></xsl:for-each></xsl:template>
</xsl:stylesheet>"""


def key(pl, expr):
    """A person's or an organisation's key: trimmed, lower-cased, hashed to u64; null when empty."""
    trimmed = expr.str.strip_chars()
    return pl.when(trimmed.str.len_bytes() > 0).then(trimmed.str.to_lowercase().hash())


def profile_type(pl, expr):
    """The stakeholder type index of a profile label (null when unknown)."""
    return expr.str.strip_chars().replace_strict(PROFILE, default=None, return_dtype=pl.UInt8)


def keyed(pl, df):
    """action, person, type, organisation columns of strings → the joined columns."""
    return df.select(pl.col("action").str.strip_chars(), key(pl, pl.col("person")).alias("person"),
                     profile_type(pl, pl.col("type")).alias("type"), key(pl, pl.col("organisation")).alias("organisation"))


def one_polars_thread():
    """Pool workers: one polars thread each (the main process's polars uses every core)."""
    os.environ["POLARS_MAX_THREADS"] = "1"


def process_pool(processes=None):
    """The pool that parses the parts: forked (before the main process starts polars' threads),
    PEER_XML_PROCESSES workers (default 2, the cores of the benchmark machine)."""
    import multiprocessing
    n = processes or int(os.environ.get("PEER_XML_PROCESSES", "2"))
    return multiprocessing.get_context("fork").Pool(n, initializer=one_polars_thread)


def boundaries(path):
    """(head, tail, [(start, end)]): the bytes before the first session, the root's end tag, and the
    parts, each starting at a `<…Seance` tag found by a byte scan."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        start = f.read(1 << 16)
        m = re.search(rb"<([A-Za-z_][\w.-]*:)?Seance[\s>]", start)
        if not m:
            raise SystemExit(f"{path}: no <Seance> element in the first 64 KiB")
        head, tag = start[:m.start()], b"<" + (m.group(1) or b"") + b"Seance"
        root = re.search(rb"<([A-Za-z_][\w.:-]*)[\s>]", head).group(1)  # the first element (not <?xml, <!--)
        tail = b"</" + root + b">"
        f.seek(max(0, size - 4096))
        end = max(0, size - 4096) + f.read().rfind(tail)
        if end < m.start():
            raise SystemExit(f"{path}: no {tail.decode()} at the end")
        cuts = [m.start()]
        while cuts[-1] + PART_BYTES < end:
            f.seek(cuts[-1] + PART_BYTES)
            window = f.read(1 << 20)
            i = window.find(tag)
            if i < 0:
                break
            cuts.append(cuts[-1] + PART_BYTES + i)
    cuts.append(end)
    return head, tail, list(zip(cuts, cuts[1:]))


_TSV = None


def read_part(job):
    """Parses one part (the document's head + sessions + the root's end tag) and returns its frame."""
    global _TSV
    import polars as pl
    path, head, tail, start, end = job
    with open(path, "rb") as f:
        f.seek(start)
        body = f.read(end - start)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(head + body + tail, parser)
    if _TSV is None:
        _TSV = etree.XSLT(etree.XML(TSV))
    ns = {"p": NS}
    count = int(etree.XPath("count(/p:Export/p:Seance/p:Participant)", namespaces=ns)(root))
    lines = bytes(_TSV(root))
    try:
        df = pl.read_csv(io.BytesIO(lines), separator="\t", has_header=False, new_columns=COLUMNS,
                         quote_char=None, infer_schema=False)
    except pl.exceptions.ComputeError:
        df = None
    if df is None or df.height != count:
        # A value holds a tab or a line break: one participant at a time.
        tag = "{" + NS + "}"
        rows = [(p.getparent().get("code"), p.findtext(tag + "Courriel"), p.findtext(tag + "Profil"), p.findtext(tag + "Structure"))
                for p in etree.XPath("/p:Export/p:Seance/p:Participant", namespaces=ns)(root)]
        df = pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS}, orient="row")
    return keyed(pl, df)


def read_parts(path, pool):
    """The parts parsed by `pool` (process_pool), frames in document order (as they come)."""
    head, tail, parts = boundaries(path)
    return pool.imap(read_part, [(path, head, tail, s, e) for s, e in parts])

