import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Allocation-free access for the workbook readers, which look at every cell of sheets of
/// hundreds of megabytes: names compared as interned pointers, values copied as bytes.
extension XMLStreamReader {
    /// `name` interned in the reader's dictionary: equal to `localNamePointer` exactly when the names are equal.
    func intern(_ name: String) -> UnsafePointer<xmlChar>? { xmlTextReaderConstString(reader, name) }

    /// The current node's interned local name.
    var localNamePointer: UnsafePointer<xmlChar>? { xmlTextReaderConstLocalName(reader) }

    /// The current node's interned namespace URI.
    var namespacePointer: UnsafePointer<xmlChar>? { xmlTextReaderConstNamespaceUri(reader) }

    /// Whether the node is text (CDATA and white space included).
    var isText: Bool {
        switch nodeType {
        case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue, XML_READER_TYPE_WHITESPACE.rawValue,
             XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue: return true
        default: return false
        }
    }

    /// Appends the current node's value (a text node's text, or an attribute's value) as UTF-8.
    func appendValue(to bytes: inout [UInt8]) {
        guard let value = xmlTextReaderConstValue(reader) else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(start: value, count: strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))))
    }

    /// Calls `body` with each attribute's interned local name and value bytes, then returns to the element.
    func forEachAttribute(_ body: (UnsafePointer<xmlChar>?, UnsafeBufferPointer<UInt8>) -> Void) {
        forEachAttribute { name, _, value in body(name, value) }
    }

    /// The same, with each attribute's interned namespace URI (nil without a prefix).
    func forEachAttribute(_ body: (UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?, UnsafeBufferPointer<UInt8>) -> Void) {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return }
        var more = xmlTextReaderMoveToFirstAttribute(reader)
        while more == 1 {
            if let value = xmlTextReaderConstValue(reader) {
                body(xmlTextReaderConstLocalName(reader), xmlTextReaderConstNamespaceUri(reader),
                     UnsafeBufferPointer(start: value, count: strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))))
            }
            more = xmlTextReaderMoveToNextAttribute(reader)
        }
        xmlTextReaderMoveToElement(reader)
    }

    /// The attribute named `local` in any namespace or none (an `r:id` whatever its prefix).
    func attribute(anyNamespace local: String) -> String? {
        let wanted = intern(local)
        var found: String?
        forEachAttribute { name, value in
            if name == wanted, found == nil { found = String(decoding: value, as: UTF8.self) }
        }
        return found
    }
}

/// A non-negative decimal integer from ASCII digits (nil when empty, not digits, or past `limit`).
func parseCount(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = Int(Int32.max)) -> Int? {
    guard !bytes.isEmpty else { return nil }
    var v = 0
    for b in bytes {
        guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
        v = v * 10 + Int(b - UInt8(ascii: "0"))
        if v > limit { return nil }
    }
    return v
}
