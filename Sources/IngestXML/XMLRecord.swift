import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One record read from an XML export, as a row of text values.
public struct XMLRecord: Sendable {
    /// The values' UTF-8 bytes back to back; `ends[i]` is where value i ends.
    public let bytes: [UInt8]
    public let ends: [Int]
    /// Sparse records (SpreadsheetML rows): the column of value i; nil when value i is column i.
    public let columns: [Int]?
    /// Sparse records: the number of columns the row spans, empty trailing cells included.
    public var width: Int?
    /// Line of the record's element.
    public let line: Int
    /// Where it is: `/Export/Session/Participant` or `Worksheet "Feuil1"` (with `index`), `file.xml`.
    public let path: String
    /// Position among the elements at `path` (partner XML), or the row number (SpreadsheetML): the
    /// path string is shared, not rebuilt per record.
    public let index: Int?
    /// Why the record was refused without being read (too large), if it was: its values are empty.
    public var refusal: String?

    init(bytes: [UInt8], ends: [Int], columns: [Int]? = nil, line: Int, path: String, index: Int? = nil) {
        self.bytes = bytes
        self.ends = ends
        self.columns = columns
        self.line = line
        self.path = path
        self.index = index
    }

    init(values: [String], line: Int, path: String) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for v in values {
            bytes += v.utf8
            ends.append(bytes.count)
        }
        self.init(bytes: bytes, ends: ends, line: line, path: path)
    }

    /// The values as text, one per column (empty columns included, trailing ones left out).
    public var values: [String] {
        let stored = ends.indices.map { i in String(decoding: bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]], as: UTF8.self) }
        guard let columns else { return stored }
        var dense = [String](repeating: "", count: (columns.last ?? -1) + 1)
        for (value, column) in zip(stored, columns) { dense[column] = value }
        return dense
    }

    /// Whether no value holds anything but white space.
    public var isBlank: Bool {
        var start = 0
        for end in ends {
            if bytes[start..<end].contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return false }
            start = end
        }
        return true
    }
}

/// Appends a libxml2 string (UTF-8) to `bytes` and frees it.
func appendOwned(_ text: UnsafeMutablePointer<xmlChar>?, to bytes: inout [UInt8]) {
    guard let text else { return }
    bytes.append(contentsOf: UnsafeBufferPointer(start: text, count: strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))))
    impact_xmlFree(text)
}

