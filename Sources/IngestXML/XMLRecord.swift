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
    /// Line of the record's element.
    public let line: Int
    /// Where it is: `/Export/Session/Participant` (with `index`), `Worksheet "Feuil1" row 4`, `file.xml`.
    public let path: String
    /// Position among the elements at `path`, for partner XML (the path string is shared, not rebuilt).
    public let index: Int?

    init(bytes: [UInt8], ends: [Int], line: Int, path: String, index: Int? = nil) {
        self.bytes = bytes
        self.ends = ends
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

    /// The values as text.
    public var values: [String] {
        ends.indices.map { i in String(decoding: bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]], as: UTF8.self) }
    }
}

/// Appends a libxml2 string (UTF-8) to `bytes` and frees it.
func appendOwned(_ text: UnsafeMutablePointer<xmlChar>?, to bytes: inout [UInt8]) {
    guard let text else { return }
    bytes.append(contentsOf: UnsafeBufferPointer(start: text, count: strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))))
    impact_xmlFree(text)
}

