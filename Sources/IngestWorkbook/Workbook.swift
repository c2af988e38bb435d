import IngestXML

/// An `.xlsx`/`.xlsm` or `.ods` workbook: its ZIP package opened and checked, its sheets listed and
/// streamed row by row (the package's own entries say which kind it is, whatever its name).
public final class Workbook {
    public enum Kind: String, Sendable {
        case xlsx
        case ods
    }

    public let path: String
    public let kind: Kind
    private let archive: ZIPArchive
    /// xlsx: the worksheets in workbook order with their part names; the date system.
    private var parts: [(name: String, part: String)] = []
    private var date1904 = false
    private var sharedStringsPart: String?
    private var stylesPart: String?
    /// An `.xlsx` sheet row whose XML is larger than this is refused unread (`SheetRow.refusal`):
    /// `xml.max_record_bytes` of the source.
    public var maxRowBytes = 1_000_000

    /// Opens `path`, refusing with one clear line what cannot be read: an encrypted or legacy
    /// compound file, a ZIP that is no workbook, a damaged or hostile package.
    public init(path: String) throws {
        self.path = path
        switch FileSignature.of(path: path) {
        case .compoundFile: throw CompoundFile.refusal(path: path)
        case .other: throw WorkbookError(file: path, message: "not a workbook (no ZIP package): is it a CSV or XML export? set its format")
        case .zip: break
        }
        archive = try ZIPArchive(path: path)
        if let mimetype = archive.entry("mimetype"), mimetype.uncompressedSize < 200 {
            let type = String(decoding: try Self.bytes(of: mimetype, in: archive), as: UTF8.self)
            guard type.hasSuffix("opendocument.spreadsheet") else {
                throw WorkbookError(file: path, message: "an OpenDocument file of type '\(type.prefix(80))', not a spreadsheet (.ods)")
            }
            kind = .ods
        } else if archive.entry("content.xml") != nil && archive.entry("META-INF/manifest.xml") != nil {
            kind = .ods
        } else if archive.entry("[Content_Types].xml") != nil || archive.entry("_rels/.rels") != nil {
            kind = .xlsx
        } else {
            throw WorkbookError(file: path, message: "a ZIP file that is neither an .xlsx nor an .ods workbook; refused (a ZIP is never read as CSV)")
        }
        switch kind {
        case .ods: try openODS()
        case .xlsx: try openXLSX()
        }
    }

    /// A whole small entry (mimetype): bounded by the caller.
    private static func bytes(of entry: ZIPEntry, in archive: ZIPArchive) throws -> [UInt8] {
        let input = try ZIPEntryInput(archive: archive, entry: entry)
        var out: [UInt8] = []
        var buffer = [CChar](repeating: 0, count: 4_096)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { input.read(into: $0.baseAddress!, count: $0.count) }
            if n < 0 { throw input.failure ?? archive.damaged("cannot read '\(entry.name)'") }
            if n == 0 { return out }
            out += buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }
        }
    }

    /// Runs an XML part reader over an entry, turning libxml2's errors into this file's.
    private func withPart<T>(_ name: String, _ body: (any XMLInput, String) throws -> T) throws -> T {
        guard let entry = archive.entry(name) else { throw archive.damaged("no part '\(name)'") }
        do {
            let input = try ZIPEntryInput(archive: archive, entry: entry)
            let result = try body(input, entry.name)
            try input.drain()
            return result
        } catch let error as XMLReadError {
            throw WorkbookError(file: path, message: "\(error.file), line \(error.line): \(error.message)")
        }
    }

    private func openODS() throws {
        if archive.entry("META-INF/manifest.xml") != nil,
           try withPart("META-INF/manifest.xml", { try ODSContent.manifestDeclaresEncryption(input: $0, name: $1) }) {
            throw WorkbookError.passwordProtected(path)
        }
        guard archive.entry("content.xml") != nil else { throw archive.damaged("no content.xml") }
    }

    private func openXLSX() throws {
        var main = "xl/workbook.xml"
        if archive.entry("_rels/.rels") != nil {
            let relationships = try withPart("_rels/.rels") { try XLSXParts.relationships(input: $0, name: $1) }
            if let office = relationships.first(where: { $0.kind == "officeDocument" && !$0.external }) {
                main = Self.resolve(office.target, from: "")
            }
        }
        if main.lowercased().hasSuffix(".bin") || archive.entry("xl/workbook.bin") != nil {
            throw WorkbookError(file: path, message: "a binary Excel workbook (.xlsb), which this tool does not read: save it as .xlsx or CSV (enregistrez-le en .xlsx ou en CSV)")
        }
        guard archive.entry(main) != nil else { throw archive.damaged("no workbook part '\(main)'") }
        let folder = main.contains("/") ? String(main[...main.lastIndex(of: "/")!]) : ""
        let relsName = folder + "_rels/" + String(main.split(separator: "/").last ?? "") + ".rels"
        let relationships = archive.entry(relsName) == nil ? []
            : try withPart(relsName) { try XLSXParts.relationships(input: $0, name: $1) }
        let (sheets, date1904) = try withPart(main) { try XLSXParts.workbook(input: $0, name: $1) }
        self.date1904 = date1904
        for sheet in sheets {
            guard let target = relationships.first(where: { $0.id == sheet.relationship && $0.kind == "worksheet" }) else { continue }
            parts.append((sheet.name, Self.resolve(target.target, from: folder)))
        }
        sharedStringsPart = relationships.first { $0.kind == "sharedStrings" }.map { Self.resolve($0.target, from: folder) }
        stylesPart = relationships.first { $0.kind == "styles" }.map { Self.resolve($0.target, from: folder) }
    }

    /// A relationship target as a part name: relative to `folder`, or absolute from the package root.
    static func resolve(_ target: String, from folder: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : folder.split(separator: "/")
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = parts.popLast() } else if piece != "." { parts.append(piece) }
        }
        return parts.joined(separator: "/")
    }

    /// The worksheets' names, in workbook order (chart sheets are not listed: they hold no cells).
    public func sheetNames() throws -> [String] {
        switch kind {
        case .xlsx: return parts.map(\.name)
        case .ods:
            return try withPart("content.xml") { input, name in
                try ODSContent.read(input: input, name: name, wanted: { _, _ in false }, emit: { _, _ in })
            }
        }
    }

    /// Streams the rows of the chosen sheet (the first when nil), after `onStart` with its name; returns its name.
    @discardableResult
    public func read(sheet: SheetSelector?, onStart: (String) -> Void = { _ in }, emit: (SheetRow) throws -> Void) throws -> String {
        var chosen: String?
        let names = try read(stopAfterMatch: true, wanted: { position, name in
            let match = chosen == nil && SheetSelector.matches(sheet, position: position, name: name)
            if match {
                chosen = name
                onStart(name)
            }
            return match
        }, emit: { _, row in try emit(row) })
        guard let chosen else {
            let list = names.map { "'\($0)'" }.joined(separator: ", ")
            throw WorkbookError(file: path, message: names.isEmpty ? "the workbook has no worksheet"
                                : "no sheet \(sheet.map(String.init(describing:)) ?? "") in the workbook; its sheets: \(list)")
        }
        return chosen
    }

    /// Streams the rows of every sheet with the sheet's 1-based position (`starting` is told each
    /// sheet's position and name before its rows); returns the sheets' names.
    @discardableResult
    public func readAll(emit: (Int, SheetRow) throws -> Void, starting: (Int, String) -> Void = { _, _ in }) throws -> [String] {
        try read(stopAfterMatch: false, wanted: { position, name in
            starting(position, name)
            return true
        }, emit: emit)
    }

    private func read(stopAfterMatch: Bool, wanted: (Int, String) -> Bool, emit: (Int, SheetRow) throws -> Void) throws -> [String] {
        switch kind {
        case .ods:
            return try withPart("content.xml") { input, name in
                try ODSContent.read(input: input, name: name, stopAfterMatch: stopAfterMatch, wanted: wanted, emit: emit)
            }
        case .xlsx:
            let chosen = parts.indices.filter { wanted($0 + 1, parts[$0].name) }
            if chosen.isEmpty { return parts.map(\.name) }
            let strings = try sharedStringsPart.flatMap { archive.entry($0) == nil ? nil : $0 }.map { part in
                try withPart(part) { try SharedStrings(input: $0, name: $1, maximumBytes: WorkbookLimits.maximumSharedStringBytes) }
            } ?? SharedStrings()
            let styles = try stylesPart.flatMap { archive.entry($0) == nil ? nil : $0 }.map { part in
                try withPart(part) { try XLSXParts.styles(input: $0, name: $1) }
            } ?? []
            let sheet = XLSXSheet(strings: strings, styles: styles, date1904: date1904)
            for index in chosen {
                try withPart(parts[index].part) { input, name in
                    try sheet.read(input: input, name: name, maxRowBytes: maxRowBytes) { try emit(index + 1, $0) }
                }
                if stopAfterMatch { break }
            }
            return parts.map(\.name)
        }
    }
}
