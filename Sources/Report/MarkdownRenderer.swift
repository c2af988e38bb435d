/// The document as GitHub-flavoured Markdown that pandoc reads without a warning: blocks separated by
/// one blank line, charts linked as files beside the report.
public struct MarkdownRenderer {
    let language: String

    public init(language: String) { self.language = language }

    public func render(_ document: ReportDocument) -> String {
        document.blocks.map { block($0) + "\n\n" }.joined()
    }

    func block(_ block: Block) -> String {
        switch block {
        case .heading(let level, let r): return String(repeating: "#", count: level) + " " + inline(r)
        case .paragraph(let r), .note(let r): return inline(r)
        case .list(let items): return items.map { "- " + inline($0) }.joined(separator: "\n")
        case .table(let t): return table(t)
        case .figure(let f): return "![\(text(f.alt))](\(f.file))"
        case .quote(let items): return items.map { "> " + inline($0) }.joined(separator: "\n>\n")
        case .banner(let title, let items, let footer):
            return (["> **\(text(title))**", ">"] + items.map { "> - " + inline($0) } + [">", "> " + inline(footer)]).joined(separator: "\n")
        case .definitions(let terms):
            let colon = language == "fr" ? " : " : ": "
            return terms.map { "- " + inline([.strong([.text($0.term)]), .text(colon)] + $0.definition) }.joined(separator: "\n")
        }
    }

    func table(_ t: Table) -> String {
        let align = t.columns.map { $0.role == .numeric ? "---:" : "---" }
        var lines = t.title.map { ["**\(text($0))**", ""] } ?? []
        lines.append("| " + t.columns.map { cell([.text($0.header)]) }.joined(separator: " | ") + " |")
        lines.append("|" + align.joined(separator: "|") + "|")
        lines += t.rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    func cell(_ r: Rich) -> String {
        let text = inline(r)
        // A byte scan first: the replacement is costly and tables have thousands of cells without a `|`.
        return text.utf8.contains(UInt8(ascii: "|")) ? text.replacing("|", with: "\\|") : text
    }

    func inline(_ r: Rich) -> String {
        r.merged.map { i -> String in
            switch i {
            case .text(let s): return text(s)
            case .strong(let r): return "**" + inline(r) + "**"
            case .emphasis(let r): return "*" + inline(r) + "*"
            case .code(let s): return s.contains("`") ? "`` \(s) ``" : "`\(s)`"
            }
        }.joined()
    }

    /// Plain text: typography, and escapes only for what Markdown would read as markup
    /// (emphasis marks, code ticks, an HTML tag or entity) — so the usual text stays as written.
    func text(_ s: String) -> String {
        let typeset = Typography.apply(s, language: language)
        guard typeset.utf8.contains(where: { $0 == 0x5C || $0 == 0x2A || $0 == 0x5F || $0 == 0x60 || $0 == 0x3C || $0 == 0x26 }) else { return typeset }
        var out = ""
        let scalars = Array(typeset.unicodeScalars)
        for (i, c) in scalars.enumerated() {
            let next = i + 1 < scalars.count ? scalars[i + 1] : " "
            switch c {
            case "\\", "*", "_", "`": out += "\\" + String(c)
            case "<" where next.properties.isAlphabetic || next == "/" || next == "!" || next == "?": out += "&lt;"
            case "&" where next.properties.isAlphabetic || next == "#": out += "&amp;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
