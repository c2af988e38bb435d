/// The report's style sheet: readable on screen (a measure, sticky table headers) and laid out for
/// A4 in print (margins, running header and page numbers in the page margins, Chromium ≥ 131).
enum HTMLStyle {
    static let css = """
    html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 15px; line-height: 1.45; color: #111; background: #fff; }
    body { max-width: 56rem; margin: 2rem auto; padding: 0 1rem; }
    h1 { font-size: 1.55rem; margin: 0 0 .6rem; }
    h2 { font-size: 1.25rem; margin: 1.8rem 0 .6rem; padding-bottom: .15rem; border-bottom: 1px solid #888; }
    h3 { font-size: 1.05rem; margin: 1.3rem 0 .5rem; }
    h1, h2, h3, .caption { break-after: avoid; page-break-after: avoid; }
    h2, h3 { break-inside: avoid; }
    /* A lead paragraph stays with the table, list, quote or chart it introduces (and so its heading too). */
    p:has(+ .table), p:has(+ ul), p:has(+ blockquote), p:has(+ figure) { break-after: avoid; page-break-after: avoid; }
    /* A short title paragraph stays with the lead that follows it. */
    p:has(+ p:has(+ .table)) { break-after: avoid; page-break-after: avoid; }
    p, li { orphans: 2; widows: 2; }
    ul { padding-left: 1.3rem; }
    .table { margin: .6rem 0 1rem; }
    .table.keep { break-inside: avoid; page-break-inside: avoid; }
    .caption { font-weight: bold; margin: 0 0 .25rem; }
    table { border-collapse: collapse; min-width: 60%; max-width: 100%; font-size: .84rem; line-height: 1.3; }
    th, td { border: 1px solid #b5b5b5; padding: .18rem .35rem; vertical-align: top; text-align: left; }
    th { background: #ececec; font-weight: bold; }
    th.num, td.num { text-align: right; }
    td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
    td.id { overflow-wrap: break-word; }
    td.short { white-space: nowrap; }
    thead { display: table-header-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
    code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: .88em; }
    figure.chart { margin: .8rem 0 1.2rem; break-inside: avoid; page-break-inside: avoid; }
    figure.chart svg { display: block; max-width: 100%; height: auto; }
    .note { font-size: .84rem; color: #333; }
    blockquote { margin: .4rem 0 .8rem .4rem; padding: 0 0 0 .8rem; border-left: 3px solid #b5b5b5; color: #333; }
    blockquote p { margin: .3rem 0; }
    .banner { border: 2px solid #a00; background: #fff3f3; padding: .5rem .9rem; margin: .8rem 0 1rem; break-inside: avoid; }
    .banner-title { margin: 0 0 .3rem; color: #a00; }
    .banner ul { margin: .2rem 0; }
    .banner p { margin: .3rem 0; }
    dl.glossary dt { font-weight: bold; break-after: avoid; }
    dl.glossary dd { margin: 0 0 .45rem 1.2rem; }
    @media screen { thead th { position: sticky; top: 0; z-index: 1; box-shadow: 0 1px 0 #b5b5b5; } }
    @media print {
      html { font-size: 9.5pt; }
      body { max-width: none; margin: 0; padding: 0; }
      h2 { margin-top: 1.2rem; }
    }
    @page { size: A4; margin: 17mm 15mm 17mm 15mm; }
    """
}
