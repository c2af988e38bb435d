/// The document as one self-contained HTML file: CSS and charts inline, no script, no external
/// request; print CSS lays it out on A4 (running header, page numbers, rows never split).
///
/// Written by hand over the document model rather than with Plot 0.14.0 (the machine's HTML DSL):
/// Plot writes attribute values without escaping (`name="\(value)"`) and passes `&name;` in text
/// through as an entity, so every user-supplied label would still need escaping here; one `escape`
/// over a closed set of blocks is shorter and is what the tests attack.
public struct HTMLRenderer {
    let language: String

    public init(language: String) { self.language = language }

    public func render(_ document: ReportDocument) -> String {
        var chart = 0
        let body = document.blocks.map { block -> String in
            if case .figure = block { chart += 1 }
            return self.block(block, chart: chart)
        }
        let header = "\(document.runningHeader)"
        return """
        <!DOCTYPE html>
        <html lang="\(Self.escape(language))">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(Self.escape(document.title))</title>
        <style>
        \(HTMLStyle.css)
        @page {
          @top-left { content: \(Self.cssString(header)); font-size: 8pt; color: #555; }
          @bottom-right { content: \(Self.cssString(document.pageWord + " ")) counter(page) \(Self.cssString(" " + document.ofWord + " ")) counter(pages); font-size: 8pt; color: #555; }
        }
        </style>
        </head>
        <body>
        <main>
        \(body.joined(separator: "\n"))
        </main>
        </body>
        </html>

        """
    }

    func block(_ block: Block, chart: Int) -> String {
        switch block {
        case .heading(let level, let r): return "<h\(level)>\(inline(r))</h\(level)>"
        case .paragraph(let r): return "<p>\(inline(r))</p>"
        case .note(let r): return "<p class=\"note\">\(inline(r))</p>"
        case .list(let items): return "<ul>\n" + items.map { "<li>\(inline($0))</li>\n" }.joined() + "</ul>"
        case .table(let t): return table(t)
        case .figure(let f): return "<figure class=\"chart\">\n\(f.chart.svg(id: "chart\(chart)"))</figure>"
        case .quote(let items): return "<blockquote>\n" + items.map { "<p>\(inline($0))</p>\n" }.joined() + "</blockquote>"
        case .banner(let title, let items, let footer):
            return "<div class=\"banner\" role=\"note\">\n<p class=\"banner-title\"><strong>\(text(title))</strong></p>\n<ul>\n"
                + items.map { "<li>\(inline($0))</li>\n" }.joined() + "</ul>\n<p>\(inline(footer))</p>\n</div>"
        case .definitions(let terms):
            return "<dl class=\"glossary\">\n" + terms.map { "<dt>\(text($0.term))</dt><dd>\(inline($0.definition))</dd>\n" }.joined() + "</dl>"
        }
    }

    func table(_ t: Table) -> String {
        func role(_ i: Int) -> String {
            switch i < t.columns.count ? t.columns[i].role : .text {
            case .numeric: return " class=\"num\""
            case .identifier: return " class=\"id\""
            case .short: return " class=\"short\""
            case .text: return ""
            }
        }
        // A short table moves whole to the next page rather than leave two rows behind.
        var out = [t.rows.count <= Self.keptWhole ? "<div class=\"table keep\">" : "<div class=\"table\">"]
        if let title = t.title { out.append("<p class=\"caption\">\(text(title))</p>") }
        out.append("<table>")
        out.append("<thead><tr>" + t.columns.indices.map { "<th scope=\"col\"\(role($0))>\(text(t.columns[$0].header))</th>" }.joined() + "</tr></thead>")
        out.append("<tbody>")
        for row in t.rows {
            out.append("<tr>" + row.indices.map { "<td\(role($0))>\(inline(row[$0]))</td>" }.joined() + "</tr>")
        }
        out += ["</tbody>", "</table>", "</div>"]
        return out.joined(separator: "\n")
    }

    /// Tables of up to this many rows are never split across pages.
    static let keptWhole = 12

    func inline(_ r: Rich) -> String {
        r.merged.map { i -> String in
            switch i {
            case .text(let s): return text(s)
            case .strong(let r): return "<strong>\(inline(r))</strong>"
            case .emphasis(let r): return "<em>\(inline(r))</em>"
            case .code(let s): return "<code>\(breakable(s))</code>"
            }
        }.joined()
    }

    func text(_ s: String) -> String { Self.escape(Typography.apply(s, language: language)) }

    /// An identifier that may break after `/`, `_`, `-` and `.` (file paths in narrow columns).
    func breakable(_ s: String) -> String {
        var out = ""
        for c in s {
            out += Self.escape(String(c))
            if c == "/" || c == "_" || c == "-" || c == "." { out += "<wbr/>" }
        }
        return out
    }

    /// Text and attribute values: the five characters HTML gives meaning to.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A CSS string literal: quotes and backslashes escaped, `<` written `\3C ` so no `</style>` can close the
    /// sheet, `&` written `\26 ` so the file stays well-formed XML too.
    static func cssString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\3C "
            case "&": out += "\\26 "
            case ">": out += "\\3E "
            case "\n", "\r": out += "\\A "
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
