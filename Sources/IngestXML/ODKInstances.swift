import CLibXML2

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

