import CLibXML2

/// ODK / KoboToolbox submissions: instance documents (one per file, or several under one root),
/// leaves flattened to `group/question` paths. A resubmitted instance (same `meta/instanceID`,
/// later in file order) replaces the earlier one, and an edit's `meta/deprecatedID` drops the
/// instance it replaces: those are reported through `duplicate`.
///
/// Each file is read on its own and streamed (no instance is built in memory): a file that is
/// broken, unreadable or holds an instance larger than `maxInstanceBytes` is reported through
/// `broken`, with its line, and the other files — and the instances read before the fault — are read.
public struct ODKInstances {
    public let paths: [String]
    public let maxInstanceBytes: Int

    public init(paths: [String], maxInstanceBytes: Int = 1_000_000) {
        self.paths = paths
        self.maxInstanceBytes = maxInstanceBytes
    }

    /// What could not be read of one file.
    public struct Fault: Sendable {
        public let file: String
        public let line: Int
        public let message: String
    }

    enum Item {
        case instance(values: [String: String], file: String, line: Int, index: Int)
        case fault(Fault)
    }

    /// `dropOnError`: a broken file gives none of its instances (only its fault). `display` is how a
    /// file is named in the records' paths and faults (once per file).
    public func read(files: [String], dropOnError: Bool = false, display: (String) -> String = { $0 }, emit: (XMLRecord) throws -> Void,
                     duplicate: (XMLRecord) throws -> Void, broken: (Fault) throws -> Void) throws {
        var items: [Item] = []
        var count = 0
        for path in files {
            let file = display(path)
            var found: [Item] = []
            do {
                try readFile(path) { values, line, refusal in
                    if let refusal {
                        found.append(.fault(Fault(file: file, line: line, message: refusal)))
                    } else {
                        found.append(.instance(values: values, file: file, line: line, index: count + found.count))
                    }
                }
            } catch let error as XMLReadError {
                if dropOnError { found = [] }
                found.append(.fault(Fault(file: file, line: error.line, message: error.message)))
            }
            count += found.count
            items += found
        }
        var deprecated = Set<String>()
        var lastIndexOfID: [String: Int] = [:]
        for case .instance(let values, _, _, let index) in items {
            if let id = values["meta/deprecatedID"], !id.isEmpty { deprecated.insert(id) }
            if let id = values["meta/instanceID"], !id.isEmpty { lastIndexOfID[id] = index }
        }
        for item in items {
            switch item {
            case .fault(let fault):
                try broken(fault)
            case .instance(let values, let file, let line, let index):
                let id = values["meta/instanceID"] ?? ""
                let record = XMLRecord(values: paths.map { values[$0] ?? "" }, line: line,
                                       path: "\(file) \(id.isEmpty ? "instance \(index + 1)" : id)")
                if !id.isEmpty && (deprecated.contains(id) || lastIndexOfID[id] != index) {
                    try duplicate(record)
                } else {
                    try emit(record)
                }
            }
        }
    }

    /// Streams one file: each instance (the root when it carries a form `id`, else each child of the
    /// root that does) is handed over as its leaves' values, keyed by `group/question` paths, with
    /// its line — or, when larger than `maxInstanceBytes`, as a refusal (its values left unread).
    func readFile(_ file: String, instance: ([String: String], Int, String?) throws -> Void) throws {
        let reader = try XMLStreamReader(path: file)
        var instanceDepth: Int?  // depth of the instance being read
        var line = 0
        var values: [String: String] = [:]
        var stack: [(path: String, text: [UInt8], leaf: Bool)] = []  // the open elements below the instance
        var size = 0
        var tooLarge = false
        func end() throws {
            try instance(tooLarge ? [:] : values, line, tooLarge
                ? "an instance larger than \(XMLStreamReader.size(maxInstanceBytes)) (xml.max_record_bytes: \(maxInstanceBytes)): not read, so that memory stays bounded" : nil)
            instanceDepth = nil
            values = [:]
            stack = []
        }
        var more = try reader.read()
        while more {
            let depth = reader.depth
            if reader.isElement {
                if instanceDepth != nil {
                    let name = reader.localName
                    if !stack.isEmpty { stack[stack.count - 1].leaf = false }
                    stack.append((stack.last.map { "\($0.path)/\(name)" } ?? name, [], true))
                    size += name.utf8.count
                    if reader.isEmptyElement { close(&stack, &values) }
                } else if depth <= 1 && reader.attribute("id") != nil {
                    instanceDepth = depth
                    line = reader.line
                    size = 0
                    tooLarge = false
                    if reader.isEmptyElement { try end() }
                } else if depth >= 1 {
                    more = try reader.skip()  // neither an instance nor the root holding instances
                    continue
                }
            } else if let top = instanceDepth {
                switch reader.nodeType {
                case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue,
                     XML_READER_TYPE_WHITESPACE.rawValue, XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue:
                    if !stack.isEmpty && !tooLarge {
                        let before = stack[stack.count - 1].text.count
                        reader.appendValue(to: &stack[stack.count - 1].text)
                        size += stack[stack.count - 1].text.count - before
                    }
                case XML_READER_TYPE_END_ELEMENT.rawValue:
                    if depth == top { try end() } else { close(&stack, &values) }
                default:
                    break
                }
            }
            if size > maxInstanceBytes && instanceDepth != nil && !tooLarge {
                // Nothing more of it is kept; read on to its end.
                tooLarge = true
                values = [:]
                for i in stack.indices { stack[i].text = [] }
            }
            more = try reader.read()
        }
    }

    /// Ends the innermost element of the instance: a leaf's text becomes the value of its path.
    private func close(_ stack: inout [(path: String, text: [UInt8], leaf: Bool)], _ values: inout [String: String]) {
        guard let top = stack.popLast(), top.leaf else { return }
        values[top.path] = String(decoding: top.text, as: UTF8.self)
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
