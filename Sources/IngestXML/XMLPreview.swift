import CLibXML2

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

    /// The element path repeated most often in the file (over its first 200,000 elements), written
    /// with the prefixes of `namespaces` where they name an element's namespace; its count, and
    /// whether the whole file was seen. Nil for a file with no element below its root.
    public static func mostRepeatedElement(path: String, namespaces: [String: String]) throws -> (String, Int, Bool)? {
        let reader = try XMLStreamReader(path: path)
        let prefixes = Dictionary(namespaces.map { ($1, $0) }, uniquingKeysWith: { a, b in min(a, b) })
        var stack: [String] = []
        var counts: [String: Int] = [:]
        var seen = 0
        var complete = true
        while try reader.read() {
            guard reader.isElement else { continue }
            if seen == 200_000 { complete = false; break }
            seen += 1
            if stack.count > reader.depth { stack.removeLast(stack.count - reader.depth) }
            let step = reader.namespaceURI.flatMap { prefixes[$0] }.map { "\($0):\(reader.localName)" } ?? reader.localName
            stack.append(step)
            if stack.count >= 2 { counts["/" + stack.joined(separator: "/"), default: 0] += 1 }
            if reader.isEmptyElement { stack.removeLast() }
        }
        // Most repeated; among equals, the shallowest (a record rather than its fields), then the first in name order.
        guard let best = counts.min(by: { a, b in
            (-a.value, a.key.count, a.key) < (-b.value, b.key.count, b.key)
        }) else { return nil }
        return (best.key, best.value, complete)
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
            let steps = (kind == .odkInstance ? nil : recordPath)?.split(separator: "/").map(String.init)
            // Records held by the guard: one too large is shown as refused, never built.
            let reader = try XMLStreamReader(path: path, limits: XMLGuard.Limits(recordDepth: steps.map { $0.count - 1 } ?? 0))
            var stack: [String] = []
            var more = try reader.read()
            while more {
                guard reader.isElement else { more = try reader.read(); continue }
                if stack.count > reader.depth { stack.removeLast(stack.count - reader.depth) }
                stack.append(reader.localName)
                let isRecord = steps.map { $0 == stack } ?? (reader.depth == 0)
                guard isRecord else { more = try reader.read(); continue }
                if let limit, records.count >= limit { break }
                if let refusal = reader.refusal {
                    records.append([("(refused)", refusal)])
                    stack.removeLast()
                    more = try reader.skip()
                    continue
                }
                let node = try reader.expand()
                var fields: [(String, String)] = []
                // The parent's attributes too (`../@code`): exports often hold a session's code there.
                if kind == .partner, let parent = node.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE {
                    fields += attributes(of: parent).map { ("../@" + $0.0, $0.1) }
                }
                fields += attributes(of: node).map { ("@" + $0.0, $0.1) }
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

/// An element's attributes (name, value), in document order.
private func attributes(of node: xmlNodePtr) -> [(String, String)] {
    var result: [(String, String)] = []
    var attr = node.pointee.properties
    while let a = attr {
        let name = a.pointee.name.map { String(cString: $0) } ?? ""
        result.append((name, attribute(node, name) ?? ""))
        attr = a.pointee.next
    }
    return result
}

/// Reads a whole file without keeping anything: whether it is well-formed and acceptable.
public enum XMLCheck {
    public static func validate(path: String) throws {
        let reader = try XMLStreamReader(path: path)
        while try reader.read() {}
    }
}
