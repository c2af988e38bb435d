import Foundation
import Ingest
import IngestWorkbook
import IngestXML

/// `impact preview FILE`: how a file is read (encoding, dialect, header, first records).
public enum Preview {
    /// Rows looked at to find a sheet's header.
    static let headerSearch = 50

    /// A human-readable description; `rows` records are shown after the header; `sheet` (a name or a
    /// 1-based position) chooses a workbook's sheet.
    public static func text(path: String, rows: Int = 5, sheet: String? = nil) throws -> String {
        if FileSignature.of(path: path) != .other { return try WorkbookPreview.text(path: path, sheet: sheet, rows: rows) }
        if looksLikeXML(path) {
            let sniff = try XMLSniffer.sniff(path: path)
            let record = sniff.kind == .partner ? try XMLPreview.likelyRecordPath(path: path) : nil
            let table = try XMLPreview.table(path: path, kind: sniff.kind, recordPath: record, limit: rows)
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
            if let header = table.first { lines.append("columns: " + header.map { "[\($0)]" }.joined(separator: " ")) }
            lines += table.dropFirst().enumerated().map { "record \($0.offset + 1): " + $0.element.map { "[\(escapeControls($0))]" }.joined(separator: " ") }
            return lines.joined(separator: "\n") + "\n"
        }
        let csv = try CSVFile(path: path)
        var lines = [
            "file: \(path)",
            "format: CSV",
            "encoding: \(csv.encoding.encoding.rawValue) (\(csv.encoding.evidence))",
            "delimiter: \(describe(csv.delimiter)) (\(csv.delimiterEvidence))",
        ]
        var count = 0
        var shown: [String] = []
        while let row = try csv.next() {
            count += 1
            if count == 1 {
                lines.append("columns: \(row.count)")
                lines.append("header (line \(row.line)): " + row.fields.map { "[\($0)]" }.joined(separator: " "))
            } else if count <= rows + 1 {
                shown.append("line \(row.line): " + row.fields.map { "[\(escapeControls($0))]" }.joined(separator: " "))
            }
        }
        lines.append("records after the header: \(max(0, count - 1))")
        return (lines + shown).joined(separator: "\n") + "\n"
    }

    /// Every record (header included) as a JSON array of arrays of strings, streamed to `write`.
    public static func json(path: String, sheet: String? = nil, write: (String) -> Void) throws {
        if FileSignature.of(path: path) != .other { return try WorkbookPreview.json(path: path, sheet: sheet, write: write) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        if looksLikeXML(path) {
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

    static func looksLikeXML(_ path: String) -> Bool {
        if path.lowercased().hasSuffix(".xml") { return true }
        guard let handle = FileHandle(forReadingAtPath: path), let head = try? handle.read(upToCount: 64) else { return false }
        try? handle.close()
        let text = String(decoding: head.drop { $0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D }, as: UTF8.self)
        return text.hasPrefix("<?xml") || text.hasPrefix("<")
    }

    static func describe(_ delimiter: UInt8) -> String {
        delimiter == UInt8(ascii: "\t") ? "tab" : "'\(String(UnicodeScalar(delimiter)))'"
    }

    static func escapeControls(_ s: String) -> String {
        s.replacing("\r", with: "\\r").replacing("\n", with: "\\n")
    }
}
