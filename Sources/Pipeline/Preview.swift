import Drafting
import Foundation
import Ingest
import IngestWorkbook
import IngestXML
import InputFiles
import PipelineFile
import Records

/// `impact preview` cannot show a file.
public struct PreviewError: ImpactError {
    public let message: String
    public var description: String { message }
}

/// `impact preview FILE`: how a file is read (encoding, dialect, header, first records).
public enum Preview {
    /// A human-readable description; `rows` records are shown after the header; `sheet` (a name or a
    /// 1-based position) chooses a workbook's sheet; `suggest` adds a source entry mapping the file as that kind.
    public static func text(path: String, rows: Int = 5, sheet: String? = nil, suggest: SourceKind? = nil) throws -> String {
        try readable(path) { try describe(path: path, rows: rows, sheet: sheet, suggest: suggest) }
    }

    /// Runs `body` on `path` once it is known to be a readable regular file (a FIFO would block),
    /// turning read errors into a one-line `PreviewError`.
    static func readable<T>(_ path: String, _ body: () throws -> T) throws -> T {
        if let problem = InputFile.problem(path) { throw PreviewError(message: "cannot read \(path): \(problem)") }
        do {
            return try body()
        } catch let error as InputFileError {
            throw PreviewError(message: "cannot read \(path): \(error.message)")
        } catch let error as XMLReadError {
            throw PreviewError(message: "cannot read \(path): " + (error.line > 0 ? "\(error.line):\(error.column): \(error.message)" : error.message))
        }
    }

    static func describe(path: String, rows: Int, sheet: String?, suggest: SourceKind?) throws -> String {
        var lines: [String], table: ExportTable?
        if FileSignature.of(path: path) != .other {
            (lines, table) = try WorkbookPreview.text(path: path, sheet: sheet, rows: rows)
        } else if ExportReader.looksLikeXML(path) {
            (lines, table) = try xml(path: path, rows: rows)
        } else {
            (lines, table) = try csv(path: path, rows: rows)
        }
        if let suggest {
            guard let table else { throw PreviewError(message: "\(path): no table found to map as \(suggest.rawValue)") }
            let folder = FileManager.default.currentDirectoryPath
            lines += ["", "suggested source entry, kind \(suggest.rawValue) (paste it under sources:):",
                      TableReport.suggestion(table, kind: suggest, folder: folder).trimmingCharacters(in: .newlines)]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func xml(path: String, rows: Int) throws -> ([String], ExportTable?) {
        let sniff = try XMLSniffer.sniff(path: path)
        let record = sniff.kind == .partner ? try XMLPreview.likelyRecordPath(path: path) : nil
        let head = try XMLPreview.table(path: path, kind: sniff.kind, recordPath: record, limit: rows)
        var lines = [
            "file: \(path)",
            "format: XML (\(sniff.kind.rawValue))",
            "root element: \(sniff.rootElement)\(sniff.namespace.map { " (namespace \($0))" } ?? "")",
            "declared encoding: \(sniff.declaredEncoding ?? "none (UTF-8)")",
        ]
        if let record {
            if let uri = sniff.namespace {
                // XPath: an unprefixed name means "no namespace", so namespaced exports need a prefix.
                let prefixed = "/" + record.split(separator: "/").map { "p:\($0)" }.joined(separator: "/")
                lines.append("record path (most repeated element): \(prefixed), with xml.namespaces: {p: \"\(uri)\"}")
                lines.append("the elements are in that namespace: write columns as p:Name (attributes stay @name)")
            } else {
                lines.append("record path (most repeated element; set it as xml.record): \(record)")
            }
        }
        let table = try ExportReader.tables(path: path).first
        if let table {
            lines.append("records: \(table.records)")
            lines += TableReport.columns(table)
        } else if let header = head.first {
            lines.append("columns: " + header.map { "[\($0)]" }.joined(separator: " "))
        }
        lines += head.dropFirst().enumerated().map { "record \($0.offset + 1): " + $0.element.map { "[\(escapeControls($0))]" }.joined(separator: " ") }
        return (lines, table)
    }

    static func csv(path: String, rows: Int) throws -> ([String], ExportTable?) {
        var lines = ["file: \(path)", "format: CSV"]
        guard let table = try ExportReader.csv(path: path),
              case .csv(let encoding, let encodingEvidence, let delimiter, let delimiterEvidence, let dialect) = table.layout else {
            return (lines + ["no records"], nil)
        }
        lines.append("encoding: \(encoding) (\(encodingEvidence))")
        lines.append("delimiter: \(describe(delimiter)) (\(delimiterEvidence))")
        if !dialect.isEmpty { lines.append("dialect: \(dialect)") }
        if !table.skipped.isEmpty {
            lines.append("skipped above the header (a title or notes; the pipeline skips them too):")
            lines += table.skipped.map { "  line \($0.number): \(escapeControls(String($0.text.prefix(100))))" }
        }
        lines.append("header (line \(table.headerNumber)): " + table.references.map { "[\($0)]" }.joined(separator: " "))
        lines.append("records after the header: \(table.records)")
        lines += TableReport.widths(table)
        lines += TableReport.columns(table)
        lines += table.firstRecords.prefix(rows).map { record in
            "line \(record.number): " + record.values.map { "[\(escapeControls($0))]" }.joined(separator: " ")
        }
        return (lines, table)
    }

    /// Every record (header included) as a JSON array of arrays of strings, streamed to `write`.
    public static func json(path: String, sheet: String? = nil, write: (String) -> Void) throws {
        try readable(path) { try jsonRows(path: path, sheet: sheet, write: write) }
    }

    static func jsonRows(path: String, sheet: String?, write: (String) -> Void) throws {
        if FileSignature.of(path: path) != .other { return try WorkbookPreview.json(path: path, sheet: sheet, write: write) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        if ExportReader.looksLikeXML(path) {
            let sniff = try XMLSniffer.sniff(path: path)
            let record = sniff.kind == .partner ? try XMLPreview.likelyRecordPath(path: path) : nil
            let rows = try XMLPreview.table(path: path, kind: sniff.kind, recordPath: record, limit: nil)
            write("[" + rows.enumerated().map { (i, r) in (i == 0 ? "\n  " : "\n  ") + String(decoding: (try? encoder.encode(r)) ?? Data(), as: UTF8.self) }.joined(separator: ",") + (rows.isEmpty ? "]\n" : "\n]\n"))
            return
        }
        let csv = try CSVFile(path: path)
        var first = true
        write("[")
        while let row = try csv.next() {
            write((first ? "\n  " : ",\n  ") + String(decoding: try encoder.encode(row.fields), as: UTF8.self))
            first = false
        }
        write(first ? "]\n" : "\n]\n")
    }

    static func describe(_ delimiter: UInt8) -> String {
        delimiter == UInt8(ascii: "\t") ? "tab" : delimiter == UInt8(ascii: " ") ? "space" : "'\(String(UnicodeScalar(delimiter)))'"
    }

    static func escapeControls(_ s: String) -> String {
        s.replacing("\r", with: "\\r").replacing("\n", with: "\\n")
    }
}
