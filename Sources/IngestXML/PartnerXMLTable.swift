import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Partner XML mapped by XPath: one record per element at `recordPath`, one value per XPath
/// evaluated relative to it (`@code`, `Nom`, `../@date`, `p:Structure` with declared prefixes).
public struct PartnerXMLTable: Sendable {
    public let recordPath: String
    public let xpaths: [String]
    public let namespaces: [String: String]

    public init(recordPath: String, xpaths: [String], namespaces: [String: String]) {
        self.recordPath = recordPath
        self.xpaths = xpaths
        self.namespaces = namespaces
    }

    /// Whether an XPath expression compiles (checked before any file is read).
    public static func isValid(_ xpath: String) -> Bool {
        guard let compiled = xmlXPathCompile(xpath) else { return false }
        xmlXPathFreeCompExpr(compiled)
        return true
    }

    /// Streams the records of `path`; returns the file's digest when it was read to its end.
    @discardableResult
    public func read(path: String, emit: (XMLRecord) throws -> Void) throws -> ReadDigest? {
        let steps = recordPath.split(separator: "/").map { step -> (name: String, namespace: String?) in
            let parts = step.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[1], namespaces[parts[0]]) : (parts[0], nil)
        }
        guard !steps.isEmpty else { throw XMLReadError(file: path, line: 0, column: 0, message: "empty record path") }
        // Simple paths (`Nom`, `p:Nom`, `@code`, `../@date`, `.`) walk the tree directly; the XPath
        // machinery (a context and an evaluation per field and record) made the XML ingest 2.6× slower
        // than `xmllint --stream` on a 500 MB export. Anything else is compiled XPath.
        var evaluators: [FieldPath] = []
        defer { evaluators.forEach { if case .xpath(let c) = $0 { xmlXPathFreeCompExpr(c) } } }
        for x in xpaths {
            if let simple = FieldPath.simple(x, namespaces: namespaces) {
                evaluators.append(simple)
            } else {
                guard let c = xmlXPathCompile(x) else { throw XMLReadError(file: path, line: 0, column: 0, message: "invalid XPath '\(x)'") }
                evaluators.append(.xpath(c))
            }
        }
        let reader = try XMLStreamReader(path: path)
        // Names compared in C against the steps (no Swift string per element): `matched` is how
        // many leading steps the current element's ancestors (and itself) match.
        let stepNames = steps.map { Array($0.name.utf8CString) }
        let lastNamespace = steps.last?.namespace
        var matched = 0
        var count = 0
        var context: xmlXPathContextPtr?
        defer { if let context { xmlXPathFreeContext(context) } }
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
            let line = reader.line
            let node = try reader.expand()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(256)
            var ends: [Int] = []
            ends.reserveCapacity(evaluators.count)
            for evaluator in evaluators {
                switch evaluator {
                case .xpath(let expression):
                    if context == nil {
                        context = xmlXPathNewContext(node.pointee.doc)
                        for (prefix, uri) in namespaces { _ = xmlXPathRegisterNs(context, prefix, uri) }
                    }
                    guard let context else { throw reader.error(default: "cannot evaluate XPath") }
                    context.pointee.node = node
                    if let result = xmlXPathCompiledEval(expression, context) {
                        appendOwned(xmlXPathCastToString(result), to: &bytes)
                        xmlXPathFreeObject(result)
                    }
                default:
                    evaluator.append(at: node, to: &bytes)
                }
                ends.append(bytes.count)
            }
            try emit(XMLRecord(bytes: bytes, ends: ends, line: line, path: recordPath, index: count))
            matched = depth
            more = try reader.skip()
        }
        return reader.digest
    }
}

/// How one field is found from its record element.
///
/// Names are kept as C strings: passing a Swift `String` to libxml2 converts it on every call
/// (a copy per field and record).
enum FieldPath {
    case itself
    case child(name: [xmlChar], namespace: [xmlChar]?)
    case attribute(name: [xmlChar], namespace: [xmlChar]?, parent: Bool)
    case xpath(xmlXPathCompExprPtr)

    /// The direct form of `path`, when it is one of the simple shapes.
    static func simple(_ path: String, namespaces: [String: String]) -> FieldPath? {
        func c(_ text: String) -> [xmlChar] { Array(text.utf8) + [0] }
        func qualified(_ name: Substring) -> ([xmlChar], [xmlChar]?)? {
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
    func append(at node: xmlNodePtr, to bytes: inout [UInt8]) {
        switch self {
        case .itself:
            appendOwned(xmlNodeGetContent(node), to: &bytes)
        case .attribute(let name, let namespace, let parent):
            guard let target = parent ? node.pointee.parent : node, target.pointee.type == XML_ELEMENT_NODE else { return }
            appendOwned(namespace.map { xmlGetNsProp(target, name, $0) } ?? xmlGetNoNsProp(target, name), to: &bytes)  // [xmlChar] passes as a pointer, no copy
        case .child(let name, let namespace):
            // XPath semantics: an unprefixed name matches elements in no namespace only.
            var child = node.pointee.children
            while let c = child {
                if c.pointee.type == XML_ELEMENT_NODE, let n = c.pointee.name, xmlStrEqual(n, name) != 0 {
                    let href = c.pointee.ns?.pointee.href
                    let same = namespace.map { uri in href.map { xmlStrEqual($0, uri) != 0 } ?? false } ?? (href == nil)
                    if same {
                        appendOwned(xmlNodeGetContent(c), to: &bytes)
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

