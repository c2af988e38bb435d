import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InputFiles

/// Partner XML mapped by XPath: one record per element at `recordPath`, one value per XPath
/// evaluated relative to it (`@code`, `Nom`, `../@date`, `p:Structure` with declared prefixes).
public struct PartnerXMLTable: Sendable {
    public let recordPath: String
    public let xpaths: [String]
    public let namespaces: [String: String]
    /// A record element larger than this is refused without being built (`XMLGuard`).
    public let maxRecordBytes: Int

    public init(recordPath: String, xpaths: [String], namespaces: [String: String], maxRecordBytes: Int = 1_000_000) {
        self.recordPath = recordPath
        self.xpaths = xpaths
        self.namespaces = namespaces
        self.maxRecordBytes = maxRecordBytes
    }

    /// Whether an XPath expression compiles (checked before any file is read).
    public static func isValid(_ xpath: String) -> Bool {
        impact_silenceErrors()
        guard let compiled = xmlXPathCompile(xpath) else { return false }
        xmlXPathFreeCompExpr(compiled)
        return true
    }

    /// Streams the records of `path`; returns the file's digest when it was read to its end.
    @discardableResult
    public func read(path: String, emit: (XMLRecord) throws -> Void) throws -> ReadDigest? {
        try read(path: path) { (batch: XMLRecordBatch) in
            for i in 0..<batch.count { try emit(batch.record(i, path: recordPath)) }
        }
    }

    /// Streams the records of `path` in batches of `batchSize` (the last one shorter); returns the
    /// file's digest when it was read to its end.
    ///
    /// A batch keeps every value of its records in one buffer: two arrays per record, allocated on the
    /// parsing thread and freed on the mapping one, were a tenth of the parsing thread's time.
    @discardableResult
    public func read(path: String, batchSize: Int = 1_024, emit: (XMLRecordBatch) throws -> Void) throws -> ReadDigest? {
        try read(path: path, batchSize: batchSize, skipping: 0, emit: emit)
    }

    /// The record path's steps: local names, and the namespace of the last one when prefixed.
    func steps(path: String) throws -> (names: [[CChar]], lastNamespace: String?) {
        let steps = recordPath.split(separator: "/").map { step -> (name: String, namespace: String?) in
            let parts = step.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[1], namespaces[parts[0]]) : (parts[0], nil)
        }
        guard !steps.isEmpty else { throw XMLReadError(file: path, line: 0, column: 0, message: "empty record path") }
        return (steps.map { Array($0.name.utf8CString) }, steps.last?.namespace)
    }

    /// One evaluator per field (to be freed by the caller).
    ///
    /// Simple paths (`Nom`, `p:Nom`, `@code`, `../@date`, `.`) walk the tree directly; the XPath
    /// machinery (a context and an evaluation per field and record) made the XML ingest 2.6× slower
    /// than `xmllint --stream` on a 500 MB export. Anything else is compiled XPath.
    func evaluators(path: String) throws -> [FieldPath] {
        var evaluators: [FieldPath] = []
        impact_silenceErrors()  // XPath errors are this thread's: not printed, the reader reports its own
        for x in xpaths {
            if let simple = FieldPath.simple(x, namespaces: namespaces) {
                evaluators.append(simple)
            } else if let c = xmlXPathCompile(x) {
                evaluators.append(.xpath(c))
            } else {
                evaluators.forEach { $0.free() }
                throw XMLReadError(file: path, line: 0, column: 0, message: "invalid XPath '\(x)'")
            }
        }
        return evaluators
    }

    /// One reader over the whole file; the first `skipping` records are passed over unread (they
    /// were read in parts before a part failed: `XMLSplitReader`).
    func read(path: String, batchSize: Int, skipping: Int, emit: (XMLRecordBatch) throws -> Void) throws -> ReadDigest? {
        let (stepNames, lastNamespace) = try steps(path: path)
        let evaluators = try evaluators(path: path)
        defer { evaluators.forEach { $0.free() } }
        let reader = try XMLStreamReader(path: path, limits: XMLGuard.Limits(recordDepth: stepNames.count - 1, recordBytes: maxRecordBytes))
        // Names compared in C against the steps (no Swift string per element): `matched` is how
        // many leading steps the current element's ancestors (and itself) match.
        var matched = 0
        var count = 0
        var context: xmlXPathContextPtr?
        defer { if let context { xmlXPathFreeContext(context) } }
        var batch = XMLRecordBatch(fields: evaluators.count, capacity: batchSize)
        // The records read before a parse error still reach `emit` (the source keeps them unless `on_error: drop`).
        do {
            var more = try reader.read()
            while more {
                guard reader.isElement else { more = try reader.read(); continue }
                let depth = reader.depth
                if matched > depth { matched = depth }
                guard matched == depth, depth < stepNames.count, reader.localNameEquals(stepNames[depth]) else {
                    // An element off the record path: its whole subtree is skipped unread.
                    more = matched == depth ? try reader.skip() : try reader.read()
                    continue
                }
                matched = depth + 1
                guard matched == stepNames.count, lastNamespace == nil || lastNamespace == reader.namespaceURI else {
                    if reader.isEmptyElement { matched = depth }
                    more = try reader.read()
                    continue
                }
                count += 1
                if count > skipping {
                    if let refusal = reader.refusal {
                        // Refused before libxml2 built it: empty values, reported as refused at its own line.
                        batch.refusals[batch.count] = refusal
                        for _ in evaluators { batch.bounds += [batch.bytes.count, batch.bytes.count] }
                        batch.lines.append(xmlTextReaderCurrentNode(reader.reader).flatMap { recordLine($0, offset: 0) } ?? reader.line)
                    } else {
                        let node = try reader.expand()
                        try append(node, evaluators, context: &context, to: &batch) { reader.error(default: "cannot evaluate XPath") }
                        batch.lines.append(recordLine(node, offset: 0) ?? reader.line)
                    }
                    batch.indices.append(count)
                    if batch.count == batchSize {
                        try emit(batch)
                        batch = XMLRecordBatch(fields: evaluators.count, capacity: batchSize)
                    }
                }
                matched = depth
                more = try reader.skip()
            }
        } catch let error as XMLReadError {
            if batch.count > 0 { try emit(batch) }
            throw error
        }
        if batch.count > 0 { try emit(batch) }
        if count == 0, let (suggestion, times, complete) = try XMLPreview.mostRepeatedElement(path: path, namespaces: namespaces) {
            throw XMLReadError(file: path, line: 0, column: 0,
                               message: "no element matches `xml.record` \(recordPath); the most repeated element is \(suggestion) (\(times) times\(complete ? "" : " in the file's first elements"))")
        }
        return reader.digest
    }
}

extension PartnerXMLTable {
    /// Appends the values of the record `node` to `batch`, one per evaluator (an XPath context is
    /// made on first use and kept).
    /// `interned`, when given: each field's child name as interned in the node's document dictionary
    /// (compared by pointer).
    func append(_ node: xmlNodePtr, _ evaluators: [FieldPath], context: inout xmlXPathContextPtr?, to batch: inout XMLRecordBatch,
                interned: [UnsafePointer<xmlChar>?] = [], failure: () -> XMLReadError) throws {
        for (k, evaluator) in evaluators.enumerated() {
            batch.bounds.append(batch.bytes.count)
            if case .xpath(let expression) = evaluator {
                if context == nil {
                    context = xmlXPathNewContext(node.pointee.doc)
                    for (prefix, uri) in namespaces { _ = xmlXPathRegisterNs(context, prefix, uri) }
                }
                guard let context else { throw failure() }
                context.pointee.node = node
                if let result = xmlXPathCompiledEval(expression, context) {
                    appendOwned(xmlXPathCastToString(result), to: &batch.bytes)
                    xmlXPathFreeObject(result)
                }
            } else {
                evaluator.append(at: node, to: &batch.bytes, interned: interned.isEmpty ? nil : interned[k])
            }
            batch.bounds.append(batch.bytes.count)
        }
    }
}

/// Records of one partner-XML file, their values back to back in one buffer.
public struct XMLRecordBatch: Sendable {
    /// Values per record.
    public let fields: Int
    /// Every value's UTF-8 bytes, record after record.
    public internal(set) var bytes: [UInt8] = []
    /// Start and end offsets (in `bytes`) of each value, interleaved: `2 × fields` entries per record.
    public internal(set) var bounds: [Int] = []
    /// Line and 1-based position of each record's element.
    public internal(set) var lines: [Int] = []
    public internal(set) var indices: [Int] = []
    /// Records refused before being built (too large): index in the batch → why.
    public internal(set) var refusals: [Int: String] = [:]

    init(fields: Int, capacity: Int) {
        self.fields = fields
        bytes.reserveCapacity(capacity * 128)
        bounds.reserveCapacity(capacity * fields * 2)
        lines.reserveCapacity(capacity)
        indices.reserveCapacity(capacity)
    }

    /// Number of records.
    public var count: Int { lines.count }

    /// The range of record `i`'s entries in `bounds`.
    public func span(_ i: Int) -> Range<Int> { (2 * i * fields)..<(2 * (i + 1) * fields) }

    /// Record `i` on its own (a copy of its values).
    func record(_ i: Int, path: String) -> XMLRecord {
        let range = span(i)
        let start = range.isEmpty ? 0 : bounds[range.lowerBound]
        let end = range.isEmpty ? start : bounds[range.upperBound - 1]
        let ends = stride(from: range.lowerBound + 1, to: range.upperBound, by: 2).map { bounds[$0] - start }
        var record = XMLRecord(bytes: Array(bytes[start..<end]), ends: ends, line: lines[i], path: path, index: indices[i])
        record.refusal = refusals[i]
        return record
    }
}

/// How one field is found from its record element.
///
/// Names are kept as C strings allocated once (`free()` releases them): passing a Swift `String`
/// to libxml2 converts it on every call, and an array payload is retained and released per field.
enum FieldPath {
    case itself
    case child(name: UnsafeMutablePointer<xmlChar>, namespace: UnsafeMutablePointer<xmlChar>?)
    case attribute(name: UnsafeMutablePointer<xmlChar>, namespace: UnsafeMutablePointer<xmlChar>?, parent: Bool)
    case xpath(xmlXPathCompExprPtr)

    /// Releases the names or the compiled expression.
    func free() {
        switch self {
        case .itself: break
        case .child(let name, let namespace), .attribute(let name, let namespace, _):
            name.deallocate()
            namespace?.deallocate()
        case .xpath(let compiled): xmlXPathFreeCompExpr(compiled)
        }
    }

    /// The direct form of `path`, when it is one of the simple shapes.
    static func simple(_ path: String, namespaces: [String: String]) -> FieldPath? {
        func c(_ text: String) -> UnsafeMutablePointer<xmlChar> {
            let bytes = Array(text.utf8) + [0]
            let pointer = UnsafeMutablePointer<xmlChar>.allocate(capacity: bytes.count)
            pointer.initialize(from: bytes, count: bytes.count)
            return pointer
        }
        func qualified(_ name: Substring) -> (UnsafeMutablePointer<xmlChar>, UnsafeMutablePointer<xmlChar>?)? {
            let parts = name.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." } }) else { return nil }
            if parts.count == 1 { return (c(String(parts[0])), nil) }
            guard parts.count == 2, let uri = namespaces[String(parts[0])] else { return nil }
            return (c(String(parts[1])), c(uri))
        }
        if path == "." { return .itself }
        if path.hasPrefix("../@"), let (name, ns) = qualified(path.dropFirst(4)) { return .attribute(name: name, namespace: ns, parent: true) }
        if path.hasPrefix("@"), let (name, ns) = qualified(path.dropFirst()) { return .attribute(name: name, namespace: ns, parent: false) }
        // A child element only when unprefixed names are unambiguous (XPath: no namespace).
        if let (name, ns) = qualified(Substring(path)) { return .child(name: name, namespace: ns) }
        return nil
    }

    /// Appends the field's UTF-8 value, found from the record `node`, to `bytes`.
    func append(at node: xmlNodePtr, to bytes: inout [UInt8], interned: UnsafePointer<xmlChar>? = nil) {
        switch self {
        case .itself:
            appendContent(of: node, to: &bytes)
        case .attribute(let name, let namespace, let parent):
            guard let target = parent ? node.pointee.parent : node, target.pointee.type == XML_ELEMENT_NODE else { return }
            // NULL namespace = an attribute in no namespace.
            guard let attribute = namespace.map({ xmlHasNsProp(target, name, $0) }) ?? xmlHasNsProp(target, name, nil) else { return }
            if attribute.pointee.type == XML_ATTRIBUTE_NODE {
                appendContent(of: UnsafeMutableRawPointer(attribute).assumingMemoryBound(to: xmlNode.self), to: &bytes)
            } else {  // a default declared in the DTD
                appendOwned(namespace.map { xmlGetNsProp(target, name, $0) } ?? xmlGetNoNsProp(target, name), to: &bytes)
            }
        case .child(let name, let namespace):
            // XPath semantics: an unprefixed name matches elements in no namespace only.
            var child = node.pointee.children
            while let c = child {
                if c.pointee.type == XML_ELEMENT_NODE, let n = c.pointee.name, interned.map({ n == $0 }) ?? (xmlStrEqual(n, name) != 0) {
                    let href = c.pointee.ns?.pointee.href
                    let same = namespace.map { uri in href.map { xmlStrEqual($0, uri) != 0 } ?? false } ?? (href == nil)
                    if same {
                        appendContent(of: c, to: &bytes)
                        return
                    }
                }
                child = c.pointee.next
            }
        case .xpath:
            return
        }
    }
}

/// Appends the text content of an element or attribute node. The usual shape, one text child,
/// is read in place; anything else (mixed content, several text nodes) through libxml2's copy.
/// Reading in place spares a malloc and free per field, 5 % of the parsing thread.
func appendContent(of node: xmlNodePtr, to bytes: inout [UInt8]) {
    guard let text = node.pointee.children else { return }  // no child: empty value
    if text.pointee.next == nil, text.pointee.type == XML_TEXT_NODE || text.pointee.type == XML_CDATA_SECTION_NODE {
        guard let content = text.pointee.content else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(start: content, count: strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))))
    } else {
        appendOwned(xmlNodeGetContent(node), to: &bytes)
    }
}

