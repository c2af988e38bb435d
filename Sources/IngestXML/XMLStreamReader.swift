import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InputFiles

/// Bytes libxml2 pulls through `xmlReaderForIO`: a file, or a part of a workbook being unzipped.
public protocol XMLInput: AnyObject {
    /// Copies up to `count` bytes into `buffer`: how many, 0 at the end, -1 on an error (see `failure`).
    func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32
    /// Why the last read failed, when the input knows better than libxml2's "I/O error".
    var failure: (any Error)? { get }
}

/// An input that hands over whole blocks (no copy into an intermediate buffer for the guard).
protocol XMLBlockInput: XMLInput {
    /// Fills `block` with the next bytes: 1 when bytes were read, 0 at the end, -1 on an error.
    func nextBlock(_ block: inout [UInt8]) -> Int32
}

/// The file libxml2 reads through callbacks: read(2) in blocks of 1 MiB, except that white space
/// before the document's first byte is dropped (some exporters write tabs before `<?xml`, which
/// libxml2 rejects; PhpSpreadsheet issue 2157). Line numbers then count from the first non-blank
/// line. Every block read is hashed, so a file parsed to its end needs no second read for the manifest.
final class XMLFileInput: XMLBlockInput {
    let fd: Int32
    var atStart = true
    let hasher = ReadHasher()
    private var pending: [UInt8] = []
    private var offset = 0

    /// Opens a regular file (`InputFile`: never a FIFO or a device).
    init(path: String) throws(InputFileError) {
        fd = try InputFile.open(path)
    }

    deinit { close(fd) }

    var failure: (any Error)? { nil }

    /// Copies up to `count` bytes into `buffer`: 0 at the end, -1 on a read error.
    func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32 {
        if offset == pending.count {
            let status = nextBlock(&pending)
            offset = 0
            if status <= 0 { return status }
        }
        let n = min(count, pending.count - offset)
        pending.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memcpy(buffer, base + offset, n) }
        }
        offset += n
        return Int32(n)
    }

    /// The next block of the file (leading white space dropped): 1 when bytes were read, 0 at the
    /// end of the file, -1 on error.
    func nextBlock(_ block: inout [UInt8]) -> Int32 {
        while true {
            let status = refill(&block)
            guard status > 0, atStart else { return status }
            let skip = block.prefix { [0x20, 0x09, 0x0A, 0x0D].contains($0) }.count
            if skip == block.count { continue }
            block.removeFirst(skip)
            atStart = false
            return 1
        }
    }

    /// Reads the next block: 1 when bytes were read, 0 at the end of the file, -1 on error.
    private func refill(_ block: inout [UInt8]) -> Int32 {
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
        return fresh.isEmpty ? 0 : 1
    }
}

/// Any input seen through an `XMLGuard`: what libxml2 reads of every document, files and workbook
/// parts alike.
final class GuardedXMLInput: XMLInput {
    let inner: any XMLInput
    private(set) var guardian: XMLGuard!

    init(_ inner: any XMLInput, limits: XMLGuard.Limits) {
        self.inner = inner
        if let blocks = inner as? any XMLBlockInput {
            guardian = XMLGuard(limits: limits) { block in blocks.nextBlock(&block) }
        } else {
            guardian = XMLGuard(limits: limits) { block in
                var status: Int32 = 0
                block = [UInt8](unsafeUninitializedCapacity: 1 << 16) { raw, initialized in
                    guard let base = raw.baseAddress else { return }
                    status = base.withMemoryRebound(to: CChar.self, capacity: raw.count) { inner.read(into: $0, count: raw.count) }
                    initialized = max(0, Int(status))
                }
                return status < 0 ? -1 : status == 0 ? 0 : 1
            }
        }
    }

    var failure: (any Error)? { inner.failure }

    func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32 {
        guardian.read(into: buffer, count: count)
    }
}

private let readInput: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer else { return -1 }
    return Unmanaged<XMLInputBox>.fromOpaque(context).takeUnretainedValue().input.read(into: buffer, count: Int(length))
}

private let closeInput: xmlInputCloseCallback = { _ in 0 }

/// A class reference to an input, for libxml2's context pointer.
final class XMLInputBox {
    let input: GuardedXMLInput
    init(_ input: GuardedXMLInput) { self.input = input }
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

    /// Opens `path`; `limits` bound what libxml2 is handed (see `XMLGuard`).
    convenience init(path: String, limits: XMLGuard.Limits = XMLGuard.Limits()) throws {
        let input: XMLFileInput
        do { input = try XMLFileInput(path: path) } catch { throw XMLReadError(file: path, line: 0, column: 0, message: error.message) }
        try self.init(input: input, name: path, limits: limits)
    }

    /// A reader over any input; `name` is the file (or `book.xlsx:xl/workbook.xml`) errors name.
    init(input: any XMLInput, name: String, limits: XMLGuard.Limits = XMLGuard.Limits()) throws {
        path = name
        box = XMLInputBox(GuardedXMLInput(input, limits: limits))
        guard let reader = xmlReaderForIO(readInput, closeInput, Unmanaged.passUnretained(box).toOpaque(), name, nil, hardenedXMLOptions) else {
            throw XMLReadError(file: name, line: 0, column: 0, message: "cannot open the file")
        }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(reader, collectError, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit { xmlFreeTextReader(reader) }

    /// What the guard in front of libxml2 found (for the fuzz targets' checks).
    var guardian: XMLGuard { box.input.guardian }

    /// SHA-256 and size of the file, when the parse read it to its end.
    var digest: ReadDigest? { (box.input.inner as? XMLFileInput)?.hasher.digest }

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
        if status == 0 {
            if guardian.trailingContent {
                // Everything up to the root's end was handed over and read: only what follows is refused.
                throw XMLReadError(file: path, line: line, column: 0,
                                   message: "content after the end of the root element (after line \(line)); the records before it were read")
            }
            return false
        }
        throw error(default: "malformed XML")
    }

    /// Why the current element stands for a refused record (`XMLGuard`), or nil.
    var refusal: String? {
        guard guardian.refusedRecords > 0, let value = attribute(XMLGuard.refusalAttribute) else { return nil }
        return Self.refusal(value)
    }

    /// The message for a stand-in's `XMLGuard.refusalAttribute` value.
    static func refusal(_ value: String) -> String {
        let parts = value.split(separator: ":")
        guard parts.count == 2, let limit = Int(parts[1]) else { return value }
        if parts[0] == "attributes" {
            return "an element of the record has more than \(Self.grouped(limit)) attributes: not read (libxml2 checks attributes pairwise: such elements take minutes)"
        }
        return "the record is larger than \(Self.size(limit)) (xml.max_record_bytes: \(limit)): not read, so that memory stays bounded; raise xml.max_record_bytes if such records are expected"
    }

    /// 16384 → "16,384".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return String(digits.enumerated().flatMap { i, d in (i > 0 && (digits.count - i) % 3 == 0 ? [","] : []) + [d] })
    }

    /// "1 MB", "250 kB", "1,500 bytes".
    static func size(_ bytes: Int) -> String {
        if bytes >= 1_000_000 && bytes % 1_000_000 == 0 { return "\(bytes / 1_000_000) MB" }
        if bytes >= 1_000 && bytes % 1_000 == 0 { return "\(bytes / 1_000) kB" }
        return "\(grouped(bytes)) bytes"
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
        if let failure = guardian.failure {
            return XMLReadError(file: path, line: guardian.failureLine ?? errors.first?.line ?? line, column: 0, message: failure)
        }
        if let first = errors.first { return XMLReadError(file: path, line: first.line, column: first.column, message: first.message) }
        return XMLReadError(file: path, line: line, column: 0, message: message)
    }

    var nodeType: UInt32 { UInt32(bitPattern: xmlTextReaderNodeType(reader)) }
    var isElement: Bool { nodeType == XML_READER_TYPE_ELEMENT.rawValue }
    var isEndElement: Bool { nodeType == XML_READER_TYPE_END_ELEMENT.rawValue }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }
    /// The line of the current node itself (the parser may be further on); libxml2 keeps an
    /// element's line up to 65,535 only, beyond which the parser's line is taken.
    var nodeLine: Int {
        guard let node = xmlTextReaderCurrentNode(reader) else { return line }
        let own = Int(xmlGetLineNo(node))
        return own > 0 && own < 65_535 ? own : line
    }
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
