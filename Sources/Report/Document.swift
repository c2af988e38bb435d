/// The report as a document, written once by the sections and rendered twice: Markdown
/// (`MarkdownRenderer`) and print-ready HTML (`HTMLRenderer`). Sections never write markup.

/// Inline text: plain runs, strong, emphasis and code (identifiers, file names).
public enum Inline: Equatable, Sendable {
    case text(String)
    case strong([Inline])
    case emphasis([Inline])
    case code(String)

    /// The words without markup (for plural rules, tests and alternative texts).
    public var plain: String {
        switch self {
        case .text(let s), .code(let s): return s
        case .strong(let r), .emphasis(let r): return r.plain
        }
    }
}

/// A run of inline text.
public typealias Rich = [Inline]

extension Array where Element == Inline {
    public var plain: String { map(\.plain).joined() }

    /// Adjacent plain runs merged, so typography sees "« " and the word after it together.
    var merged: Rich {
        var out: Rich = []
        for inline in self {
            switch (out.last, inline) {
            case (.text(let a)?, .text(let b)): out[out.count - 1] = .text(a + b)
            case (_, .strong(let r)): out.append(.strong(r.merged))
            case (_, .emphasis(let r)): out.append(.emphasis(r.merged))
            default: out.append(inline)
            }
        }
        return out
    }
}

/// What goes into a label's `{n}` slot: plain text, or inline markup (a source name as code).
public protocol InlineConvertible {
    var inlines: Rich { get }
}

extension String: InlineConvertible { public var inlines: Rich { [.text(self)] } }
extension Inline: InlineConvertible { public var inlines: Rich { [self] } }
extension Array: InlineConvertible where Element == Inline { public var inlines: Rich { self } }

/// How a table column is laid out: prose wraps between words, numbers never wrap and align right,
/// identifiers (file names) break only after `/`, `_`, `-`, `.`, short codes (hashes, encodings) never.
public enum ColumnRole: Sendable, Equatable {
    case text
    case numeric
    case identifier
    case short
}

public struct Column: Sendable, Equatable {
    public let header: String
    public let role: ColumnRole
    public init(_ header: String, _ role: ColumnRole = .text) {
        self.header = header
        self.role = role
    }
}

/// A table with an optional title above it.
public struct Table: Sendable, Equatable {
    public var title: String?
    public var columns: [Column]
    public var rows: [[Rich]]

    public init(title: String? = nil, columns: [Column], rows: [[Rich]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }

    /// Columns from `numericFrom` (to `numericTo`) numeric, the others text.
    public init(title: String? = nil, header: [String], rows: [[String]], numericFrom: Int, numericTo: Int? = nil) {
        self.init(title: title, columns: header.enumerated().map { i, h in
            Column(h, i >= numericFrom && i <= (numericTo ?? Int.max) ? .numeric : .text)
        }, rows: rows.map { $0.map { [.text($0)] } })
    }

    /// Whether some cell shows exactly `mark` (the statistical-secrecy « s »).
    public func holds(_ mark: String) -> Bool { rows.contains { $0.contains { $0.plain == mark } } }
}

/// A chart: its file beside the report (Markdown links it) and its drawing (HTML inlines it).
public struct Figure: Sendable, Equatable {
    public let alt: String
    public let file: String
    public let chart: SVGChart
    public init(alt: String, _ chart: ChartFile) {
        self.alt = alt
        file = chart.file
        self.chart = chart.chart
    }
}

/// One block of the document.
public enum Block: Sendable, Equatable {
    case heading(Int, Rich)
    case paragraph(Rich)
    case list([Rich])
    case table(Table)
    case figure(Figure)
    /// A legend or small-print remark under tables.
    case note(Rich)
    /// Quoted comments, one paragraph each.
    case quote([Rich])
    /// A warning the reader must see first: a title and its points.
    case banner(title: String, items: [Rich], footer: Rich)
    /// Terms and their definitions (the glossary).
    case definitions([Term])
}

/// A glossary entry.
public struct Term: Sendable, Equatable {
    public let term: String
    public let definition: Rich
}

/// The whole report: what the renderers need besides the blocks.
public struct ReportDocument: Sendable {
    /// `fr` or `en`: typography and the HTML `lang`.
    public let language: String
    public let title: String
    /// The print header: programme and period.
    public let runningHeader: String
    /// "Page" / "page … of …" words for the print footer.
    public let pageWord: String
    public let ofWord: String
    public var blocks: [Block]
}

extension Array where Element == Block {
    /// Whether a table among these blocks shows `mark` (the secrecy legend goes only under such sections).
    func holds(_ mark: String) -> Bool {
        contains { if case .table(let t) = $0 { return t.holds(mark) } else { return false } }
    }
}

/// A chart written beside the report: its file name and its drawing.
public struct ChartFile: Sendable, Equatable {
    public let file: String
    public let chart: SVGChart
    public init(file: String, chart: SVGChart) {
        self.file = file
        self.chart = chart
    }
}
