import Records

/// The free-text theme lexicon (obstacles and levers cited in comments).
public struct ThemeLexicon: Sendable, Equatable {
    public struct Theme: Sendable, Equatable {
        public let id: String
        public let label: String
        public let kind: ThemeKind
        /// Keywords, folded and singularised (matched ignoring case, accents and plurals).
        public let keywords: [[String]]
    }

    public var themes: [Theme] = []
    /// Quote up to three short comments per theme (scrubbed); off unless the pipeline file says so.
    public var quotes = false
    /// English labels (`label_en`), by theme id.
    public var englishLabels: [String: String] = [:]

    public init() {}
}

/// Settings of the hiring indicators.
public struct HiringSettings: Sendable, Equatable {
    public var durable: DurableRule = DurableRule(strict: false)
    /// Days before a hire in which an action counts as linked to it.
    public var linkWindowDays: Int = 365
    /// The day the pathway data end (`data_end`); nil: the latest date read in the pathway sources.
    /// A hire's six-month retention is counted only when its six-month date falls on or before it.
    public var dataEnd: CalendarDate?
}

/// Which answers a responses source holds.
public enum WaveSpec: Equatable, Sendable {
    /// Every row is of this wave.
    case fixed(Wave)
    /// A `wave` column says, matched through the wave vocabulary.
    case column
}

/// Before/after columns of one item in a source.
public enum ItemColumns: Equatable, Sendable {
    /// Prospective: one column; the wave says whether it is before or after.
    case single(ColumnRef)
    /// Retrospective ("post-then-pre"): both answers in one response.
    case beforeAfter(before: ColumnRef, after: ColumnRef)
}

/// How a source's bytes are laid out.
public enum SourceFormat: String, CaseIterable, Sendable {
    case csv
    /// Any partner XML, mapped by a record path and one XPath per field.
    case xml
    /// Excel "XML Spreadsheet 2003": a worksheet read as a table.
    case spreadsheetml
    /// ODK / KoboToolbox submission instances (a folder, or files of instances).
    case odk
    /// An Office Open XML workbook (`.xlsx`, `.xlsm`): one sheet read as a table.
    case xlsx
    /// An OpenDocument spreadsheet (`.ods`): one sheet read as a table.
    case ods

    /// Whether the source is a workbook (the package's entries say which kind; `sheet` chooses the sheet).
    public var isWorkbook: Bool { self == .xlsx || self == .ods }
}

/// A workbook's sheet: by its name, or by its 1-based position among the worksheets.
public enum SheetChoice: Equatable, Sendable {
    case name(String)
    case position(Int)
}

/// XML options of a source.
public struct XMLOptions: Equatable, Sendable {
    /// Partner XML: the record elements, as a path from the root (`/Export/Session/Participant`).
    public var record: String?
    /// Prefixes the XPaths use → namespace URIs.
    public var namespaces: [String: String] = [:]
    /// SpreadsheetML: the worksheet to read (default: the first).
    public var worksheet: String?
    /// A malformed or hostile file: keep the records read before the error (flagged), or drop them all.
    public var dropOnError = false
    /// A record element larger than this (bytes of the file) is rejected without being built.
    public var maxRecordBytes = XMLOptions.defaultMaxRecordBytes
    /// 1 MB: 15 to 20 MB once built by libxml2, far more than any export's record needs.
    public static let defaultMaxRecordBytes = 1_000_000

    public init() {}
}

/// A column of a CSV source: by header name (matched folded) or by 1-based position.
public enum ColumnRef: Equatable, Sendable, CustomStringConvertible {
    case name(String)
    case position(Int)

    public var description: String {
        switch self {
        case .name(let n): return n
        case .position(let p): return "#\(p)"
        }
    }
}

/// CSV dialect overrides; nil means "detect".
public struct CSVOptions: Equatable, Sendable {
    public var delimiter: UInt8?
    /// `utf-8`, `windows-1252`, `iso-8859-1`, `iso-8859-15`, `utf-16le`… or nil to detect.
    public var encoding: String?
    /// 1-based row holding the header; nil: the first row that holds every mapped column.
    public var headerRow: Int?
    /// Rows right after the header that are not records (Qualtrics writes two: labels, import ids).
    public var skipAfterHeader = 0

    public init(delimiter: UInt8? = nil, encoding: String? = nil, headerRow: Int? = nil) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.headerRow = headerRow
    }
}

/// One declared source: where its files are, what they hold, and how columns map to fields.
public struct SourceConfig: Sendable {
    public let name: String
    public let kind: SourceKind
    public let format: SourceFormat
    /// The files, resolved and sorted (one for `path`, every match for `glob`).
    public let files: [String]
    public let csv: CSVOptions
    public let xml: XMLOptions
    /// Workbooks: the sheet to read (nil: the first).
    public var sheet: SheetChoice? = nil
    /// Whether `format` was written in the pipeline file (else a ZIP or OLE file is recognised by its bytes).
    public var formatGiven = true
    /// Canonical field → column.
    public let columns: [String: ColumnRef]
    /// Stakeholder type → column holding a declared participant count (actions without lists).
    public let counts: [String: ColumnRef]
    /// Responses sources: which wave rows belong to.
    public let wave: WaveSpec
    /// Responses sources: the stakeholder type of every row when no column gives it.
    public let fixedStakeholderType: String?
    /// Responses sources: item id → column(s), in questionnaire order.
    public let items: [(id: String, columns: ItemColumns)]
    /// Line of the source's entry in the pipeline file, for messages.
    public let line: Int
    /// Line of each column reference in the pipeline file ("columns.person", "counts.industriel", "items.salaires").
    public var columnLines: [String: Int] = [:]
    /// Folders the glob (or an ODK folder's listing) matched, skipped: they are not inputs.
    public var skippedFolders: [String] = []
}

/// A whole pipeline file, checked.
public struct PipelineConfig: Sendable {
    /// The pipeline file as given on the command line.
    public let file: String
    /// The folder relative paths in the file resolve against.
    public let baseDirectory: String
    public let title: String
    public let programme: String
    /// The English report's title and programme (`title_en`, `programme_en`); nil: the French ones.
    public var titleEN: String?
    public var programmeEN: String?
    public let periods: PeriodScheme
    /// Smallest number of persons a published figure may rest on (never below 3).
    public let privacyK: Int
    /// Above this share of rejected records in any source, the run exits 1.
    public let maxRejectRate: Double
    /// Output folder, resolved against the pipeline file's folder.
    public let outputFolder: String
    /// The refresh store (SQLite) when `outputs.store` names one; else `<output folder>.sqlite`.
    public var storePath: String?
    /// Where the pseudonym key is (`privacy.key_file`, resolved, or `privacy.key_env`), and the line that says so.
    public var keyFile: String?
    public var keyEnv: String?
    public var keyLine = 0
    public let language: String
    public let territories: Vocabulary
    public let stakeholderTypes: Vocabulary
    public let actionTypes: Vocabulary
    public let questionnaire: Questionnaire
    public let eventKinds: Vocabulary
    public let contractTypes: Vocabulary
    public let referrerTypes: Vocabulary
    public let hiring: HiringSettings
    public let targets: [Target]
    public let themes: ThemeLexicon
    public let sources: [SourceConfig]
}

/// The canonical fields each source kind maps, and which are required.
public enum FieldCatalog {
    public static func required(_ kind: SourceKind) -> [String] {
        switch kind {
        case .actions: return ["action_id", "date", "territory", "action_type"]
        case .attendance: return ["action_id", "person", "stakeholder_type"]
        case .responses: return ["respondent", "territory", "date"]
        case .pathway: return ["candidate", "event", "date", "territory"]
        }
    }

    public static func optional(_ kind: SourceKind) -> [String] {
        switch kind {
        case .actions: return ["organiser", "duration_hours", "title"]
        case .attendance: return ["organisation", "last_name", "first_name"]
        case .responses: return ["stakeholder_type", "wave", "comment", "last_name", "first_name"]
        case .pathway: return ["employer", "referrer", "referrer_type", "contract", "contract_start", "contract_end",
                               "contract_months", "action_id", "last_name", "first_name"]
        }
    }

    public static func all(_ kind: SourceKind) -> [String] { required(kind) + optional(kind) }
}

extension SourceConfig {
    /// Every column reference with its key as the pipeline file writes it ("columns.person",
    /// "counts.industriel", "items.salaires", "items.salaires.before"): fields and counts sorted by
    /// key, then items in questionnaire order.
    public var keyedColumnReferences: [(key: String, ref: ColumnRef)] {
        var refs = columns.keys.sorted().compactMap { key in columns[key].map { ("columns.\(key)", $0) } }
        refs += counts.keys.sorted().compactMap { key in counts[key].map { ("counts.\(key)", $0) } }
        for (id, columns) in items {
            switch columns {
            case .single(let ref): refs.append(("items.\(id)", ref))
            case .beforeAfter(let before, let after): refs += [("items.\(id).before", before), ("items.\(id).after", after)]
            }
        }
        return refs
    }

    /// Every distinct column reference, in the order above: an XML source's record holds one value per reference.
    public var columnReferences: [ColumnRef] {
        var refs: [ColumnRef] = []
        for (_, ref) in keyedColumnReferences where !refs.contains(ref) { refs.append(ref) }
        return refs
    }

    /// The pipeline file's line of a keyed reference (a before or after column: its item's line).
    public func line(ofColumn key: String) -> Int? {
        var key = key
        for suffix in [".before", ".after"] where key.hasSuffix(suffix) { key = String(key.dropLast(suffix.count)) }
        return columnLines[key]
    }
}
