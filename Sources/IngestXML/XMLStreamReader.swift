import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// Bytes libxml2 pulls through `xmlReaderForIO`: a file, or a part of a workbook being unzipped.
public protocol XMLInput: AnyObject {
    /// Copies up to `count` bytes into `buffer`: how many, 0 at the end, -1 on an error (see `failure`).
    func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32
    /// Why the last read failed, when the input knows better than libxml2's "I/O error".
    var failure: (any Error)? { get }
}

/// The file libxml2 reads through callbacks: read(2) in blocks of 1 MiB served from memory (libxml2
/// asks for 4 KB at a time), except that white space before the document's first byte is dropped
/// (some exporters write tabs before `<?xml`, which libxml2 rejects; PhpSpreadsheet issue 2157).
/// Line numbers then count from the first non-blank line. Every block read is hashed, so a file
/// parsed to its end needs no second read for the manifest.
final class XMLFileInput: XMLInput {
    let fd: Int32
    var atStart = true
    let hasher = ReadHasher()
    private var block: [UInt8] = []
    private var offset = 0

    init?(path: String) {
        fd = open(path, O_RDONLY)
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    var failure: (any Error)? { nil }

    /// Copies up to `count` bytes into libxml2's buffer: 0 at the end, -1 on a read error.
    func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32 {
        while true {
            if offset == block.count {
                let status = refill()
                if status <= 0 { return status }
            }
            if atStart {
                while offset < block.count, [0x20, 0x09, 0x0A, 0x0D].contains(block[offset]) { offset += 1 }
                if offset == block.count { continue }
                atStart = false
            }
            let n = min(count, block.count - offset)
            block.withUnsafeBytes { raw in
                if let base = raw.baseAddress { memcpy(buffer, base + offset, n) }
            }
            offset += n
            return Int32(n)
        }
    }

    /// Reads the next block: 1 when bytes were read, 0 at the end of the file, -1 on error.
    private func refill() -> Int32 {
        let size = ReadHasher.blockSize
        var failed = false
        let fresh = [UInt8](unsafeUninitializedCapacity: size) { raw, initialized in
            var filled = 0
            while filled < size, let base = raw.baseAddress {
                let n = Glibc.read(fd, base + filled, size - filled)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failed = true }
                if n <= 0 { break }
                filled += n
            }
            initialized = filled
        }
        if failed { return -1 }
        hasher.consumed(block: fresh)
        if fresh.count < size { hasher.reachedEndOfFile() }
        block = fresh
        offset = 0
        return fresh.isEmpty ? 0 : 1
    }
}

private let readInput: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer else { return -1 }
    return Unmanaged<XMLInputBox>.fromOpaque(context).takeUnretainedValue().input.read(into: buffer, count: Int(length))
}

private let closeInput: xmlInputCloseCallback = { _ in 0 }

/// A class reference to an input, for libxml2's context pointer.
final class XMLInputBox {
    let input: any XMLInput
    init(_ input: any XMLInput) { self.input = input }
}

/// Errors libxml2 reported through the structured handler, collected per reader.
final class XMLErrorLog {
    var first: (line: Int, column: Int, message: String)?
}

/// libxml2's structured error callback: keeps the first error with its position.
private let collectError: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let log = Unmanaged<XMLErrorLog>.fromOpaque(context).takeUnretainedValue()
    guard log.first == nil else { return }
    var message = error.pointee.message.map { String(cString: $0) } ?? "XML error \(error.pointee.code)"
    while message.last == "\n" { message.removeLast() }
    log.first = (Int(error.pointee.line), Int(error.pointee.int2), message)
}

/// A streaming reader over one XML file (`xmlTextReader`), hardened for untrusted exports:
/// no network, no external DTD, no entity substitution, libxml2's size and amplification guards
/// on (no `XML_PARSE_HUGE`), and any declared entity or entity reference refused outright.
final class XMLStreamReader {
    let path: String
    let reader: OpaquePointer
    private let errors = XMLErrorLog()
    private let box: XMLInputBox
    /// Deepest element accepted (libxml2's own limit is 256 without HUGE).
    static let maximumDepth = 128

    convenience init(path: String) throws {
        guard let input = XMLFileInput(path: path) else {
            throw XMLReadError(file: path, line: 0, column: 0, message: "cannot open the file")
        }
        try self.init(input: input, name: path)
    }

    /// A reader over any input; `name` is the file (or `book.xlsx:xl/workbook.xml`) errors name.
    init(input: any XMLInput, name: String) throws {
        path = name
        box = XMLInputBox(input)
        guard let reader = xmlReaderForIO(readInput, closeInput, Unmanaged.passUnretained(box).toOpaque(), name, nil, hardenedXMLOptions) else {
            throw XMLReadError(file: name, line: 0, column: 0, message: "cannot open the file")
        }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(reader, collectError, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit { xmlFreeTextReader(reader) }

    /// SHA-256 and size of the file, when the parse read it to its end.
    var digest: ReadDigest? { (box.input as? XMLFileInput)?.hasher.digest }

    /// Moves to the next node; false at the end. Throws on malformed or hostile input.
    func read() throws -> Bool { try advance(xmlTextReaderRead(reader)) }

    /// Skips the current node's subtree; false at the end.
    func skip() throws -> Bool { try advance(xmlTextReaderNext(reader)) }

    private func advance(_ status: Int32) throws -> Bool {
        if status == 1 {
            try checkNode()
            return true
        }
        // The input's own reason (a damaged ZIP entry, a size limit) beats libxml2's "I/O error".
        if let failure = box.input.failure { throw failure }
        if status == 0 { return false }
        throw error(default: "malformed XML")
    }

    private func checkNode() throws {
        switch nodeType {
        case XML_READER_TYPE_DOCUMENT_TYPE.rawValue:
            // A document that declares entities is refused: exports have no use for them, and they
            // are how XXE and "billion laughs" attacks arrive.
            // Through the node: xmlTextReaderCurrentDoc would hand the document to us (and leak it).
            if let dtd = xmlTextReaderCurrentNode(reader)?.pointee.doc?.pointee.intSubset, dtd.pointee.entities != nil {
                throw XMLReadError(file: path, line: line, column: 0, message: "the document declares entities (DOCTYPE with <!ENTITY>); refused as a possible XXE or entity-expansion attack")
            }
        case XML_READER_TYPE_ENTITY_REFERENCE.rawValue:
            throw XMLReadError(file: path, line: line, column: 0, message: "entity reference &\(localName); refused (entities are not accepted in exports)")
        case XML_READER_TYPE_ELEMENT.rawValue where depth > Self.maximumDepth:
            throw XMLReadError(file: path, line: line, column: 0, message: "elements nested deeper than \(Self.maximumDepth) levels; refused")
        default:
            break
        }
    }

    func error(default message: String) -> XMLReadError {
        if let first = errors.first { return XMLReadError(file: path, line: first.line, column: first.column, message: first.message) }
        return XMLReadError(file: path, line: line, column: 0, message: message)
    }

    var nodeType: UInt32 { UInt32(bitPattern: xmlTextReaderNodeType(reader)) }
    var isElement: Bool { nodeType == XML_READER_TYPE_ELEMENT.rawValue }
    var isEndElement: Bool { nodeType == XML_READER_TYPE_END_ELEMENT.rawValue }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }
    var localName: String { xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? "" }

    /// Whether the current node's local name is `name` (a NUL-terminated UTF-8 array), without a Swift string.
    func localNameEquals(_ name: [CChar]) -> Bool {
        guard let current = xmlTextReaderConstLocalName(reader) else { return false }
        return name.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return strcmp(UnsafeRawPointer(current).assumingMemoryBound(to: CChar.self), base) == 0
        }
    }
    var namespaceURI: String? { xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) } }
    var encoding: String? { xmlTextReaderConstEncoding(reader).map { String(cString: $0) } }

    /// An attribute of the current element (by local name and optional namespace).
    func attribute(_ name: String, namespace: String? = nil) -> String? {
        let value = namespace.map { xmlTextReaderGetAttributeNs(reader, name, $0) } ?? xmlTextReaderGetAttribute(reader, name)
        guard let value else { return nil }
        defer { impact_xmlFree(value) }
        return String(cString: value)
    }

    /// The current element with its whole subtree, built in memory (valid until the reader moves).
    func expand() throws -> xmlNodePtr {
        guard let node = xmlTextReaderExpand(reader) else { throw error(default: "cannot read the element's content") }
        return node
    }

}

/// Text content of a node (owned copy).
func content(of node: xmlNodePtr) -> String {
    guard let text = xmlNodeGetContent(node) else { return "" }
    defer { impact_xmlFree(text) }
    return String(cString: text)
}

/// A node's local name.
func name(of node: xmlNodePtr) -> String { node.pointee.name.map { String(cString: $0) } ?? "" }

/// An attribute of a node, by local name and optional namespace.
func attribute(_ node: xmlNodePtr, _ name: String, namespace: String? = nil) -> String? {
    let value = namespace.map { xmlGetNsProp(node, name, $0) } ?? xmlGetProp(node, name)
    guard let value else { return nil }
    defer { impact_xmlFree(value) }
    return String(cString: value)
}

/// Element children of a node.
func elementChildren(_ node: xmlNodePtr) -> [xmlNodePtr] {
    var result: [xmlNodePtr] = []
    var child = node.pointee.children
    while let c = child {
        if c.pointee.type == XML_ELEMENT_NODE { result.append(c) }
        child = c.pointee.next
    }
    return result
}
