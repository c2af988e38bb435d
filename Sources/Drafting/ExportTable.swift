import Foundation
import Ingest
import IngestWorkbook
import IngestXML
import InputFiles
import Records

/// How an export's table was read.
public enum ExportLayout: Sendable {
    case csv(encoding: String, encodingEvidence: String, delimiter: UInt8, delimiterEvidence: String, dialect: String)
    case workbook(kind: String, sheet: String, position: Int, sheets: [String])
    case spreadsheetML
    case partnerXML(record: String, namespaces: [String: String])
    case odk(files: Int)
}

/// One table of an export: where its header is, what lies above it, and what each column holds.
public struct ExportTable: Sendable {
    /// The file (or the folder of ODK instances).
    public let path: String
    public let layout: ExportLayout
    /// Each column as a pipeline file refers to it: its header, an XPath (partner XML) or a group path (ODK).
    public let references: [String]
    /// Each column's name for a reader (the XPath's last step without prefix or `@`).
    public let names: [String]
    /// Record (CSV) or row (sheet) number of the header; 0 when the format has none.
    public let headerNumber: Int
    /// The non-blank lines above the header: their number and text.
    public let skipped: [(number: Int, text: String)]
    public internal(set) var profiles: [ColumnProfile]
    /// Records after the header.
    public internal(set) var records = 0
    /// Records by number of fields (CSV; the header's own width included as a key when no record has it).
    public internal(set) var widths: [Int: Int] = [:]
    /// The first records of each width, by line number.
    public internal(set) var linesByWidth: [Int: [Int]] = [:]
    /// The first records after the header (number and values), for `preview`.
    public internal(set) var firstRecords: [(number: Int, values: [String])] = []

    /// How many first records are kept, and line numbers per width.
    static let keptRecords = 20

    init(path: String, layout: ExportLayout, references: [String], names: [String]? = nil, headerNumber: Int,
         skipped: [(number: Int, text: String)]) {
        self.path = path
        self.layout = layout
        self.references = references
        self.names = names ?? references
        self.headerNumber = headerNumber
        self.skipped = skipped
        profiles = references.enumerated().map { ColumnProfile(header: names?[$0.offset] ?? $0.element, position: $0.offset) }
    }

    /// Tallies one record after the header.
    mutating func add(_ values: [String], number: Int) {
        records += 1
        widths[values.count, default: 0] += 1
        if linesByWidth[values.count, default: []].count < Self.keptRecords { linesByWidth[values.count, default: []].append(number) }
        if firstRecords.count < Self.keptRecords { firstRecords.append((number, values)) }
        for i in profiles.indices { profiles[i].add(i < values.count ? values[i] : "") }
    }

    /// The most common record width.
    public var usualWidth: Int? { widths.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key }

    /// The workbook sheet's name, when the table is one.
    public var sheet: String? {
        if case .workbook(_, let name, _, _) = layout { return name }
        return nil
    }
}

/// Rows of a table met before its header is known: kept until the header is found (`HeaderGuess`),
/// then every record after it tallied.
public struct TableCollector {
    let path: String
    let layout: ExportLayout
    private var head: [(number: Int, values: [String])] = []
    private(set) var table: ExportTable?

    public init(path: String, layout: ExportLayout) {
        self.path = path
        self.layout = layout
    }

    /// One row, by its record or row number.
    public mutating func add(_ values: [String], number: Int) {
        if table != nil {
            table?.add(values, number: number)
            return
        }
        head.append((number, values))
        if head.count >= HeaderGuess.limit { settle() }
    }

    /// Finds the header among the rows kept, then tallies the records after it.
    private mutating func settle() {
        guard let index = HeaderGuess.index(head.map(\.values)) else { return }
        let header = head[index].values
        let skipped = head[..<index].filter { row in row.values.contains { !$0.trimmedWhitespace.isEmpty } }
            .map { ($0.number, $0.values.filter { !$0.trimmedWhitespace.isEmpty }.joined(separator: " | ")) }
        table = ExportTable(path: path, layout: layout, references: TableCollector.references(header), headerNumber: head[index].number,
                            skipped: skipped)
        for row in head[(index + 1)...] { table?.add(row.values, number: row.number) }
        head = []
    }

    /// The table, once every row was given; nil when every row was empty.
    public mutating func finish() -> ExportTable? {
        if table == nil { settle() }
        return table
    }

    /// Header cells as a pipeline file names them: a repeated name as `Name#2`, an empty one by position.
    static func references(_ header: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return header.enumerated().map { i, cell in
            let name = cell.trimmedWhitespace
            guard !name.isEmpty else { return "#\(i + 1)" }
            let n = (seen[Fold.key(name)] ?? 0) + 1
            seen[Fold.key(name)] = n
            return n == 1 ? name : "\(name)#\(n)"
        }
    }
}

/// An export that could not be read as a table, with why.
public struct UnreadableExport: Sendable {
    public let path: String
    public let reason: String
}

/// Reads exports of any supported format into profiled tables.
public enum ExportReader {
    /// The tables of one export file (a workbook gives one per sheet that holds a table).
    public static func tables(path: String) throws -> [ExportTable] {
        if FileSignature.of(path: path) != .other { return try workbook(path: path) }
        if looksLikeXML(path) {
            let sniff = try XMLSniffer.sniff(path: path)
            switch sniff.kind {
            case .spreadsheetML: return try spreadsheetML(path: path)
            case .odkInstance: return try odk(path: path, files: [path]).map { [$0] } ?? []
            case .partner: return try partnerXML(path: path, namespace: sniff.namespace).map { [$0] } ?? []
            }
        }
        return try csv(path: path).map { [$0] } ?? []
    }

    /// A folder of ODK / Kobo instance files (every `.xml` below it, as the pipeline reads such a
    /// folder: Briefcase keeps one sub-folder per submission), as one table.
    public static func odkFolder(_ folder: String) throws -> ExportTable? {
        try odk(path: folder, files: xmlFiles(below: folder))
    }

    /// The `.xml` files below `folder`, in name order.
    public static func xmlFiles(below folder: String) -> [String] {
        ((FileManager.default.enumerator(atPath: folder)?.allObjects as? [String]) ?? [])
            .filter { $0.lowercased().hasSuffix(".xml") && !($0 as NSString).lastPathComponent.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }

    /// Whether an XML file is ODK / Kobo submissions (for a folder of them).
    public static func isODKInstance(_ path: String) -> Bool {
        guard looksLikeXML(path), let sniff = try? XMLSniffer.sniff(path: path) else { return false }
        return sniff.kind == .odkInstance
    }

    public static func csv(path: String) throws -> ExportTable? {
        let file = try CSVFile(path: path)
        var collector = TableCollector(path: path, layout: .csv(encoding: file.encoding.encoding.rawValue, encodingEvidence: file.encoding.evidence,
                                                                delimiter: file.delimiter, delimiterEvidence: file.delimiterEvidence,
                                                                dialect: ([file.dialect.description] + file.dialectEvidence.map { "(\($0))" })
                                                                    .filter { !$0.isEmpty }.joined(separator: " ")))
        var number = 0
        while let row = try file.next() {
            number += 1
            collector.add(row.fields, number: row.line)
        }
        return collector.finish()
    }

    static func workbook(path: String) throws -> [ExportTable] {
        let workbook = try Workbook(path: path)
        var collectors: [Int: TableCollector] = [:]
        var names: [String] = []
        names = try workbook.readAll(emit: { position, row in
            guard row.refusal == nil else { return }  // larger than the row limit: the run rejects it
            collectors[position]?.add(row.values, number: row.number)
        }, starting: { position, name in
            collectors[position] = TableCollector(path: path, layout: .workbook(kind: workbook.kind.rawValue, sheet: name, position: position, sheets: []))
        })
        return collectors.keys.sorted().compactMap { position -> ExportTable? in
            guard var table = collectors[position]?.finish() else { return nil }
            if case .workbook(let kind, let sheet, let p, _) = table.layout {
                table = table.relaid(.workbook(kind: kind, sheet: sheet, position: p, sheets: names))
            }
            return table
        }
    }

    static func spreadsheetML(path: String) throws -> [ExportTable] {
        var collector = TableCollector(path: path, layout: .spreadsheetML)
        var number = 0
        try SpreadsheetMLTable(worksheet: nil).read(path: path) { record in
            number += 1
            collector.add(record.values, number: number)
        }
        return collector.finish().map { [$0] } ?? []
    }

    /// Partner XML: the most repeated element is the record; its children, its attributes and its
    /// parent's attributes are the columns (XPaths, prefixed `p:` when the document has a namespace).
    static func partnerXML(path: String, namespace: String?) throws -> ExportTable? {
        guard let record = try XMLPreview.likelyRecordPath(path: path) else { return nil }
        let head = try XMLPreview.table(path: path, kind: .partner, recordPath: record, limit: 50)
        guard let columns = head.first, !columns.isEmpty else { return nil }
        let prefix = namespace == nil ? "" : "p:"
        func step(_ name: String) -> String { name.hasPrefix("@") || name == ".." || name == "." || name.contains("(") ? name : "\(prefix)\(name)" }
        let xpaths = columns.map { $0.split(separator: "/").map { step(String($0)) }.joined(separator: "/") }
        let recordPath = "/" + record.split(separator: "/").map { step(String($0)) }.joined(separator: "/")
        let namespaces = namespace.map { ["p": $0] } ?? [:]
        let names = columns.map { String($0.split(separator: "/").last ?? "").replacing("../@", with: "").replacing("@", with: "") }
        var table = ExportTable(path: path, layout: .partnerXML(record: recordPath, namespaces: namespaces), references: xpaths,
                                names: names, headerNumber: 0, skipped: [])
        try PartnerXMLTable(recordPath: recordPath, xpaths: xpaths, namespaces: namespaces).read(path: path) { (r: XMLRecord) in
            table.add(r.values, number: r.line)
        }
        return table
    }

    /// ODK instances: each leaf's group path is a column.
    static func odk(path: String, files: [String]) throws -> ExportTable? {
        var paths: [String] = []
        for file in files {
            // Leaves only: the pipeline reads an instance's group paths, not its root's attributes.
            for name in try XMLPreview.table(path: file, kind: .odkInstance, recordPath: nil, limit: 1).first ?? []
            where !paths.contains(name) && !name.hasPrefix("@") {
                paths.append(name)
            }
        }
        guard !paths.isEmpty else { return nil }
        let names = paths.map { String($0.split(separator: "/").last ?? "") }
        var table = ExportTable(path: path, layout: .odk(files: files.count), references: paths, names: names, headerNumber: 0, skipped: [])
        try ODKInstances(paths: paths).read(files: files, emit: { table.add($0.values, number: $0.line) }, duplicate: { _ in },
                                             broken: { _ in })  // the run reports a broken instance; the draft reads the others
        return table
    }

    /// An `.xml` name, or text starting with `<` (after a BOM and blanks).
    public static func looksLikeXML(_ path: String) -> Bool {
        if path.lowercased().hasSuffix(".xml") { return true }
        // Through `InputFile`: a FIFO would block the open.
        guard let fd = try? InputFile.open(path) else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        let head = buffer.prefix(max(0, count))
        let text = String(decoding: head.drop { $0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D }, as: UTF8.self)
        return text.hasPrefix("<?xml") || text.hasPrefix("<")
    }
}

extension ExportTable {
    /// The same table with another layout description.
    func relaid(_ layout: ExportLayout) -> ExportTable {
        var copy = ExportTable(path: path, layout: layout, references: references, names: names, headerNumber: headerNumber, skipped: skipped)
        copy.profiles = profiles
        copy.records = records
        copy.widths = widths
        copy.linesByWidth = linesByWidth
        copy.firstRecords = firstRecords
        return copy
    }
}
