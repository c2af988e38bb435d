import IngestWorkbook
import IngestXML
import PipelineFile
import Records

/// Finds the header among a table's first rows — the declared `header_row`, else the first of the
/// first `SourceMapper.headerSearchLimit` rows that holds every mapped column — for CSV, SpreadsheetML
/// and workbook sheets alike.
struct HeaderSearch {
    let source: SourceConfig
    private let items: [(item: Int, columns: ItemColumns)]
    private let pipelineFile: String
    private var firstHeader: [String]?
    /// The row holding the most mapped columns (the header with a typo in the pipeline file, most likely).
    private var closest: (fields: [String], line: Int, missing: Int)?

    init(source: SourceConfig, config: PipelineConfig) {
        self.source = source
        // Its name only: the message reaches rejects.csv and the report, which hold no machine path.
        pipelineFile = String(config.file.split(separator: "/").last ?? Substring(config.file))
        items = source.items.compactMap { entry in config.questionnaire.index(ofItem: entry.id).map { (item: $0, columns: entry.columns) } }
    }

    enum Outcome {
        /// Not the header; look at the next row.
        case next
        case header(ColumnBinding)
        /// No header: the declared row or the search's last row went by.
        case missing
    }

    /// Looks at the row at 1-based `position` (a CSV record's rank, a sheet's row number) on `line`.
    mutating func offer(_ fields: [String], position: Int, line: Int? = nil) -> Outcome {
        let declared = source.csv.headerRow
        if let declared, position < declared { return .next }
        let (binding, missing) = ColumnBinding.bind(header: fields, columns: source.columns, counts: source.counts, items: items)
        if let binding, declared == nil || position == declared { return .header(binding) }
        if closest.map({ missing.count < $0.missing }) ?? true, declared == nil || position == declared {
            closest = (fields, line ?? position, missing.count)
        }
        if firstHeader == nil || position == declared { firstHeader = fields }
        return declared != nil || position >= SourceMapper.headerSearchLimit ? .missing : .next
    }

    /// The source cannot be read: each reference the likeliest header misses, with its line in the
    /// pipeline file and the header cell it may mean; `hint` says more (a file read as one column).
    func failure(file: String, hint: String? = nil) -> SourceUnreadable {
        let references = source.columnLines.count
        guard let closest, closest.missing < references else {
            // No row holds any mapped column: nothing there is known to be a header, so no cell is quoted.
            let what = source.csv.headerRow.map { "header row \($0) holds no" } ?? "none of the first \(SourceMapper.headerSearchLimit) rows holds a"
            return SourceUnreadable(source: source.name, file: file,
                                    message: "\(what) mapped column (\(references) in the source at \(pipelineFile):\(source.line))"
                                        + ((firstHeader?.count).map { "; its first row has \($0) field\($0 == 1 ? "" : "s")" } ?? "")
                                        + (hint.map { "; \($0)" } ?? ""))
        }
        // A row holding a mapped column is a header: its cells are column names (e-mails and phones
        // masked all the same, and name words when the message is rendered: PersonalData).
        let headerCells = closest.fields.map(\.trimmedWhitespace).filter { !$0.isEmpty }
        let named = headerCells.map(PersonalData.maskContacts)
        // A masked cell (an e-mail or phone typed as a column name) is never offered as the fix.
        let suggestible = headerCells.filter { PersonalData.maskContacts($0) == $0 }
        let misses = ColumnBinding.unbound(header: closest.fields, source: source).map { miss in
            let line = source.line(ofColumn: miss.key).map { ":\($0)" } ?? ""
            var text = "\(pipelineFile)\(line): \(miss.key): no column '\(miss.ref)'"
            if case .name(let name) = miss.ref, let near = Self.nearest(name, among: suggestible) { text += " (did you mean '\(near)'?)" }
            return text
        }
        let cells = named.prefix(12).map { "'\($0)'" }.joined(separator: ", ") + (named.count > 12 ? ", …" : "")
        return SourceUnreadable(source: source.name, file: file,
                                message: misses.joined(separator: "; ") + " — the header (line \(closest.line)) holds \(cells)" + (hint.map { "; \($0)" } ?? ""))
    }

    /// The header cell a column reference most likely means: a typo of it, or one holding its words.
    static func nearest(_ name: String, among cells: [String]) -> String? {
        if let typo = Nearest.suggestion(for: name, among: cells, folded: true) { return typo }
        let words = Fold.key(name).split(separator: " ")
        guard !words.isEmpty else { return nil }
        let holding = cells.filter { cell in
            let cellWords = Fold.key(cell).split(separator: " ")
            return words.allSatisfy(cellWords.contains) || (!cellWords.isEmpty && cellWords.allSatisfy(words.contains))
        }
        return holding.count == 1 ? holding[0] : nil
    }
}

/// The header of a table read without a mapping (`preview`, `init`). With a mapping, `HeaderSearch`
/// looks for the row holding the mapped columns; without one, this is the rule.
public enum HeaderGuess {
    /// Rows looked at, as for the mapped search.
    public static let limit = SourceMapper.headerSearchLimit

    /// The index of the likely header among a table's first rows: the first row of at least two
    /// filled cells (one when no row has more) holding at least 80 % as many as the fullest row,
    /// distinct, and mostly text — a title or notes above the header are narrower, a record holds
    /// numbers and dates. Nil when every row is empty.
    public static func index(_ rows: [[String]]) -> Int? {
        let filled = rows.prefix(limit).map { $0.filter { !$0.trimmedWhitespace.isEmpty } }
        guard let widest = filled.map(\.count).max(), widest > 0 else { return nil }
        let needed = max(min(2, widest), Int((Double(widest) * 0.8).rounded(.up)))
        return filled.firstIndex { cells in
            guard cells.count >= needed, Set(cells.map(Fold.key)).count == cells.count else { return false }
            let dataLike = cells.filter { NumberParser.parse($0) != nil || (try? DateParser.parse($0).get()) != nil }.count
            return dataLike * 4 <= cells.count
        } ?? filled.firstIndex { $0.count == widest }
    }
}

/// Rows of cells from a table format (SpreadsheetML worksheet, workbook sheet) through the same
/// header search, header-repeat skipping, mapping and validation as CSV records.
struct TableMapping {
    private let mapper: SourceMapper
    private let file: String
    private var search: HeaderSearch
    private var binding: ColumnBinding?
    private var header: [String] = []
    private var headerFirst: [UInt8] = []
    private var skipThrough = 0
    private var searching = true
    private(set) var fellBack = false

    init(mapper: SourceMapper, file: String) {
        self.mapper = mapper
        self.file = file
        search = HeaderSearch(source: mapper.source, config: mapper.config)
    }

    /// One row at 1-based `position`; its `line`, `path` and `index` say where it is for rejects.
    mutating func map(_ row: CSVRow, position: Int, path: String?, index: Int? = nil, emit: (MappedRecord) throws -> Void) throws {
        guard let binding else {
            guard searching else { return }
            let fields = row.fields
            switch search.offer(fields, position: position) {
            case .next: break
            case .missing: searching = false
            case .header(let found):
                binding = found
                header = fields.map(Fold.key)
                headerFirst = Array(row.rawField(0))
                // Label or metadata rows under the header (survey tools) are not records.
                skipThrough = position + mapper.source.csv.skipAfterHeader
            }
            return
        }
        guard position > skipThrough, !row.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return }
        if row.count == binding.headerWidth, row.rawField(0).elementsEqual(headerFirst), row.fields.map(Fold.key) == header {
            return  // the header repeated (concatenated exports)
        }
        try emit(mapper.rows.map(row, binding: binding, fellBack: &fellBack, path: path, index: index))
    }

    /// A row refused unread (larger than `xml.max_record_bytes`): a reject once the header is known
    /// (before it, the row could not have been the header).
    func refuse(_ message: String, line: Int, path: String?, index: Int? = nil, emit: (MappedRecord) throws -> Void) throws {
        guard binding != nil else { return }
        try emit(mapper.rows.refused(message, line: line, path: path, index: index))
    }

    /// Throws when no header was found.
    func finish() throws {
        if binding == nil { throw search.failure(file: file) }
    }
}

/// What the sheet-reading thread hands over: the chosen sheet's name, then its rows.
enum SheetEvent: Sendable {
    case sheet(String)
    case row(SheetRow)
}

extension SourceMapper {
    /// A workbook source (`.xlsx`, `.xlsm`, `.ods`, or a ZIP or OLE file given without a format):
    /// the chosen sheet's rows through the same table mapping as CSV. The package is inflated on one
    /// thread, its sheet parsed on another, and rows mapped on this one.
    func mapWorkbook(file: String, emit: (MappedRecord) throws -> Void) throws -> FileReading {
        let selector: SheetSelector? = source.sheet.map {
            switch $0 {
            case .name(let n): return .name(n)
            case .position(let p): return .index(p)
            }
        }
        let workbook: Workbook
        do { workbook = try Workbook(path: file) } catch let error as WorkbookError {
            throw SourceUnreadable(source: source.name, file: file, message: error.message)
        }
        workbook.maxRowBytes = source.xml.maxRecordBytes
        let owned = ProducerOwned(workbook)
        var table = TableMapping(mapper: self, file: file)
        var path = ""
        do {
            // `xml: {on_error: drop}`: a first pass over the sheet (its CRC-32 is known only at its end),
            // so a damaged one gives no record at all.
            if source.xml.dropOnError { try workbook.read(sheet: selector) { _ in } }
            try ParallelBatches.run(batchSize: 256, produce: { (out: (SheetEvent) -> Void) in
                try owned.value.read(sheet: selector, onStart: { out(.sheet($0)) }) { out(.row($0)) }
            }) { event in
                switch event {
                case .sheet(let name): path = "sheet \"\(name)\""
                case .row(let row) where row.refusal != nil:
                    try table.refuse(row.refusal ?? "", line: row.number, path: path, emit: emit)
                case .row(let row):
                    try table.map(CSVRow(bytes: row.bytes, bounds: row.denseBounds[...], line: row.number), position: row.number,
                                  path: path, emit: emit)
                }
            }
        } catch let error as WorkbookError {
            throw SourceUnreadable(source: source.name, file: file, message: error.message)
        }
        try table.finish()
        let format: SourceFormat = switch workbook.kind {
        case .xlsx: .xlsx
        case .ods: .ods
        }
        return FileReading(format: format, encoding: "", delimiter: "", encodingFallbacks: 0, digest: nil)
    }
}
