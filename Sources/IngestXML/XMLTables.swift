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

/// Partner XML mapped by XPath: one record per element at `recordPath`, one value per XPath
/// evaluated relative to it (`@code`, `Nom`, `../@date`, `p:Structure` with declared prefixes).
public struct PartnerXMLTable {
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

    /// Streams the records of `path`.
    public func read(path: String, emit: (XMLRecord) throws -> Void) throws {
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
    }
}

/// How one field is found from its record element.
enum FieldPath {
    case itself
    case child(name: String, namespace: String?)
    case attribute(name: String, namespace: String?, parent: Bool)
    case xpath(xmlXPathCompExprPtr)

    /// The direct form of `path`, when it is one of the simple shapes.
    static func simple(_ path: String, namespaces: [String: String]) -> FieldPath? {
        func qualified(_ name: Substring) -> (String, String?)? {
            let parts = name.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." } }) else { return nil }
            if parts.count == 1 { return (String(parts[0]), nil) }
            guard parts.count == 2, let uri = namespaces[String(parts[0])] else { return nil }
            return (String(parts[1]), uri)
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
            appendOwned(namespace.map { xmlGetNsProp(target, name, $0) } ?? xmlGetNoNsProp(target, name), to: &bytes)
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

/// Excel "XML Spreadsheet 2003": a worksheet read as a table (`ss:Index` skips, `MergeAcross`).
public struct SpreadsheetMLTable {
    public static let namespace = "urn:schemas-microsoft-com:office:spreadsheet"
    /// Excel's own column limit: a larger `ss:Index` is refused (a resource-exhaustion probe).
    public static let maximumColumns = 16_384
    public let worksheet: String?

    public init(worksheet: String?) { self.worksheet = worksheet }

    /// Streams every row of the chosen worksheet (the first one when none is named), header included.
    public func read(path: String, emit: (XMLRecord) throws -> Void) throws {
        let reader = try XMLStreamReader(path: path)
        var inSheet = false
        var sheetDepth = 0
        var sheetName = ""
        var done = false
        var rowNumber = 0
        var more = try reader.read()
        while more && !done {
            if reader.isEndElement && inSheet && reader.depth == sheetDepth && reader.localName == "Worksheet" { done = true; break }
            guard reader.isElement, reader.namespaceURI == Self.namespace else { more = try reader.read(); continue }
            switch reader.localName {
            case "Worksheet" where !inSheet:
                let name = reader.attribute("Name", namespace: Self.namespace) ?? ""
                if worksheet == nil || worksheet == name {
                    inSheet = true
                    sheetDepth = reader.depth
                    sheetName = name
                    if reader.isEmptyElement { done = true }
                    more = try reader.read()
                } else {
                    more = try reader.skip()
                }
            case "Row" where inSheet:
                if let index = reader.attribute("Index", namespace: Self.namespace).flatMap(Int.init), index > rowNumber {
                    rowNumber = index
                } else {
                    rowNumber += 1
                }
                let line = reader.line
                let row = try reader.expand()
                var values: [String] = []
                for cell in elementChildren(row) where name(of: cell) == "Cell" {
                    if let index = attribute(cell, "Index", namespace: Self.namespace).flatMap(Int.init) {
                        guard index >= 1, index <= Self.maximumColumns else {
                            throw XMLReadError(file: path, line: line, column: 0, message: "cell index \(index) outside 1…\(Self.maximumColumns); refused")
                        }
                        while values.count < index - 1 { values.append("") }
                    }
                    let data = elementChildren(cell).first { name(of: $0) == "Data" }
                    values.append(data.map(content) ?? "")
                    if let merge = attribute(cell, "MergeAcross", namespace: Self.namespace).flatMap(Int.init), merge > 0 {
                        guard values.count + merge <= Self.maximumColumns else {
                            throw XMLReadError(file: path, line: line, column: 0, message: "merged cells beyond column \(Self.maximumColumns); refused")
                        }
                        values += Array(repeating: "", count: merge)
                    }
                }
                try emit(XMLRecord(values: values, line: line, path: "Worksheet \"\(sheetName)\" row \(rowNumber)"))
                more = try reader.skip()
            default:
                more = try reader.read()
            }
        }
        if !inSheet {
            throw XMLReadError(file: path, line: 0, column: 0,
                               message: worksheet.map { "no worksheet named '\($0)'" } ?? "no worksheet (is this SpreadsheetML 2003?)")
        }
    }
}

/// ODK / KoboToolbox submissions: instance documents (one per file, or several under one root),
/// leaves flattened to `group/question` paths. A resubmitted instance (same `meta/instanceID`,
/// later in file order) replaces the earlier one, and an edit's `meta/deprecatedID` drops the
/// instance it replaces: those are reported through `duplicate`.
public struct ODKInstances {
    public let paths: [String]

    public init(paths: [String]) { self.paths = paths }

    struct Instance {
        let values: [String: String]
        let file: String
        let line: Int
        let index: Int
    }

    public func read(files: [String], emit: (XMLRecord) throws -> Void, duplicate: (XMLRecord) throws -> Void) throws {
        var instances: [Instance] = []
        for file in files {
            let reader = try XMLStreamReader(path: file)
            var more = try reader.read()
            while more {
                guard reader.isElement, reader.depth == 0 else { more = try reader.read(); continue }
                let line = reader.line
                let root = try reader.expand()
                // One instance per root carrying a form id; otherwise each child with an id is one.
                let documents = attribute(root, "id") != nil ? [root] : elementChildren(root).filter { attribute($0, "id") != nil }
                for document in documents {
                    var values: [String: String] = [:]
                    flatten(document, prefix: "", into: &values)
                    instances.append(Instance(values: values, file: file, line: line, index: instances.count))
                }
                more = try reader.skip()
            }
        }
        let deprecated = Set(instances.compactMap { $0.values["meta/deprecatedID"] }.filter { !$0.isEmpty })
        var lastIndexOfID: [String: Int] = [:]
        for i in instances { if let id = i.values["meta/instanceID"], !id.isEmpty { lastIndexOfID[id] = i.index } }
        for instance in instances {
            let id = instance.values["meta/instanceID"] ?? ""
            let record = XMLRecord(values: paths.map { instance.values[$0] ?? "" }, line: instance.line,
                                   path: "\(instance.file) \(id.isEmpty ? "instance \(instance.index + 1)" : id)")
            if !id.isEmpty && (deprecated.contains(id) || lastIndexOfID[id] != instance.index) {
                try duplicate(record)
            } else {
                try emit(record)
            }
        }
    }

    /// Leaves of `node` as `a/b/c` → text (the instance's root name left out).
    func flatten(_ node: xmlNodePtr, prefix: String, into values: inout [String: String]) {
        for child in elementChildren(node) {
            let path = prefix.isEmpty ? name(of: child) : "\(prefix)/\(name(of: child))"
            if elementChildren(child).isEmpty {
                values[path] = content(of: child)
            } else {
                flatten(child, prefix: path, into: &values)
            }
        }
    }
}

/// What `preview` shows of an XML file: its kind, the record path used, and the first records as a table.
public enum XMLPreview {
    /// The element path repeated most often (the likely record), over the first 20,000 elements.
    public static func likelyRecordPath(path: String) throws -> String? {
        let reader = try XMLStreamReader(path: path)
        var stack: [String] = []
        var counts: [String: Int] = [:]
        var seen = 0
        while try reader.read(), seen < 20_000 {
            guard reader.isElement else { continue }
            if stack.count > reader.depth { stack.removeLast(stack.count - reader.depth) }
            stack.append(reader.localName)
            seen += 1
            if stack.count >= 2 { counts["/" + stack.joined(separator: "/"), default: 0] += 1 }
            if reader.isEmptyElement { stack.removeLast() }
        }
        // Most repeated; among equals, the shallowest (a record rather than its fields).
        return counts.max { ($0.value, -$0.key.count) < ($1.value, -$1.key.count) }?.key
    }

    /// Header and rows (up to `limit`; nil for all): attributes as `@name`, leaf children by name.
    public static func table(path: String, kind: XMLExportKind, recordPath: String?, limit: Int?) throws -> [[String]] {
        var rows: [[String]] = []
        switch kind {
        case .spreadsheetML:
            try SpreadsheetMLTable(worksheet: nil).read(path: path) { record in
                if limit.map({ rows.count <= $0 }) ?? true { rows.append(record.values) }
            }
        case .odkInstance, .partner:
            var records: [[(String, String)]] = []
            let reader = try XMLStreamReader(path: path)
            let steps = (kind == .odkInstance ? nil : recordPath)?.split(separator: "/").map(String.init)
            var stack: [String] = []
            var more = try reader.read()
            while more {
                guard reader.isElement else { more = try reader.read(); continue }
                if stack.count > reader.depth { stack.removeLast(stack.count - reader.depth) }
                stack.append(reader.localName)
                let isRecord = steps.map { $0 == stack } ?? (reader.depth == 0)
                guard isRecord else { more = try reader.read(); continue }
                if let limit, records.count >= limit { break }
                let node = try reader.expand()
                var fields: [(String, String)] = []
                var attr = node.pointee.properties
                while let a = attr {
                    fields.append(("@" + (a.pointee.name.map { String(cString: $0) } ?? ""), attribute(node, a.pointee.name.map { String(cString: $0) } ?? "") ?? ""))
                    attr = a.pointee.next
                }
                var values: [String: String] = [:]
                ODKInstances(paths: []).flatten(node, prefix: "", into: &values)
                if elementChildren(node).isEmpty { values["text()"] = content(of: node) }
                fields += values.sorted { $0.key < $1.key }
                records.append(fields)
                stack.removeLast()
                more = try reader.skip()
            }
            var header: [String] = []
            for r in records { for (k, _) in r where !header.contains(k) { header.append(k) } }
            rows = [header] + records.map { r in header.map { k in r.first { $0.0 == k }?.1 ?? "" } }
        }
        return rows
    }
}

/// Reads a whole file without keeping anything: whether it is well-formed and acceptable.
public enum XMLCheck {
    public static func validate(path: String) throws {
        let reader = try XMLStreamReader(path: path)
        while try reader.read() {}
    }
}
