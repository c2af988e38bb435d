import CLibXML2
import CXMLArena
import CXMLParts
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PartnerXMLTable {
    /// The records of one part (`XMLSplitter`), indices counted from 1 in the part and lines in the
    /// document; nil when the part does not parse, or a record's line cannot be told.
    ///
    /// A part is parsed whole (`xmlReadMemory`, a few megabytes): the same libxml2 parser and SAX2
    /// tree builder as the streaming reader, without its node-by-node walk. With `arena`, the tree is
    /// allocated from this thread's arena (`CXMLArena`) and dropped with it, not freed node by node.
    func read(_ part: XMLPart, steps: [[CChar]], lastNamespace: [CChar]?, evaluators: [FieldPath],
              path: String, arena: Bool, batchSize: Int = 1_024) -> (batches: [XMLRecordBatch], count: Int)? {
        if let read = readWithoutTree(part, steps: steps, lastNamespace: lastNamespace, evaluators: evaluators, batchSize: batchSize) {
            return read
        }
        return readAsTree(part, steps: steps, lastNamespace: lastNamespace, evaluators: evaluators, path: path, arena: arena, batchSize: batchSize)
    }

    /// The records of one part as `readAsTree` finds them, read through libxml2's SAX2 callbacks
    /// (`CXMLParts`) without building the part's tree; nil when a field is a compiled XPath, or the
    /// callbacks cannot tell (the part does not parse, a line, a DTD): the tree then says.
    /// Building and freeing the tree, and walking it, were about a third of the parsing threads' time.
    func readWithoutTree(_ part: XMLPart, steps: [[CChar]], lastNamespace: [CChar]?, evaluators: [FieldPath],
                         batchSize: Int = 1_024) -> (batches: [XMLRecordBatch], count: Int)? {
        var fields: [impact_part_field] = []
        for evaluator in evaluators {
            switch evaluator {
            case .itself: fields.append(impact_part_field(kind: Int32(IMPACT_FIELD_ITSELF), name: nil, ns: nil))
            case .child(let name, let namespace):
                fields.append(impact_part_field(kind: Int32(IMPACT_FIELD_CHILD), name: Self.cString(name), ns: namespace.map(Self.cString)))
            case .attribute(let name, let namespace, let parent):
                fields.append(impact_part_field(kind: Int32(parent ? IMPACT_FIELD_PARENT_ATTRIBUTE : IMPACT_FIELD_ATTRIBUTE),
                                                name: Self.cString(name), ns: namespace.map(Self.cString)))
            case .xpath: return nil
            }
        }
        let stepNames = steps.map { strdup($0) }
        defer { stepNames.forEach { free($0) } }
        let namespace = lastNamespace.flatMap { strdup($0) }
        defer { free(namespace) }
        let options = hardenedXMLOptions
        var records = impact_part_records()
        let parsed = stepNames.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { names in
            fields.withUnsafeBufferPointer { fieldList in
                records.steps = names.baseAddress
                records.step_count = Int32(names.count)
                records.last_ns = namespace.map { UnsafePointer($0) }
                records.fields = fieldList.baseAddress
                records.field_count = Int32(fieldList.count)
                records.look_for_refusals = part.refusals ? 1 : 0
                records.line_offset = part.lineOffset
                return part.bytes.withUnsafeBufferPointer { bytes in
                    bytes.baseAddress.map { base in
                        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                            impact_part_records_parse($0, Int32(bytes.count), options, &records)
                        }
                    } ?? -1
                }
            }
        }
        guard parsed == 0 else { return nil }
        defer { impact_part_records_free(&records) }
        let count = records.count, width = evaluators.count
        var batches: [XMLRecordBatch] = []
        var batch = XMLRecordBatch(fields: width, capacity: batchSize)
        let all = UnsafeBufferPointer(start: records.bytes, count: records.byte_count)
        for i in 0..<count {
            let bounds = records.bounds + i * 2 * width
            // A record's values lie back to back (a refusal after them).
            let start = width > 0 ? bounds[0] : 0, end = width > 0 ? bounds[2 * width - 1] : 0
            let shift = batch.bytes.count - start
            if end > start { batch.bytes.append(contentsOf: all[start..<end]) }
            for k in 0..<(2 * width) { batch.bounds.append(bounds[k] + shift) }
            if records.refusals[2 * i] >= 0 {
                let refusal = all[Int(records.refusals[2 * i])..<Int(records.refusals[2 * i + 1])]
                batch.refusals[batch.count] = XMLStreamReader.refusal(String(decoding: refusal, as: UTF8.self))
            }
            batch.lines.append(records.lines[i])
            batch.indices.append(i + 1)
            if batch.count == batchSize {
                batches.append(batch)
                batch = XMLRecordBatch(fields: width, capacity: batchSize)
            }
        }
        if batch.count > 0 { batches.append(batch) }
        return (batches, count)
    }

    private static func cString(_ name: UnsafeMutablePointer<xmlChar>) -> UnsafePointer<CChar> {
        UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self)
    }

    /// The records of one part, found by walking its tree (`PartWalk`).
    func readAsTree(_ part: XMLPart, steps: [[CChar]], lastNamespace: [CChar]?, evaluators: [FieldPath],
                    path: String, arena: Bool, batchSize: Int = 1_024) -> (batches: [XMLRecordBatch], count: Int)? {
        let options = hardenedXMLOptions | Int32(bitPattern: XML_PARSE_COMPACT.rawValue)
        let inArena = arena && impact_arena_begin() == 0
        var document: xmlDocPtr?
        defer {
            // Freed node by node only when some of it is not in the arena (it overflowed) or there is none.
            let overflowed = inArena ? impact_arena_end() == 1 : true
            if overflowed, let document { xmlFreeDoc(document) }
        }
        document = part.bytes.withUnsafeBufferPointer { bytes -> xmlDocPtr? in
            guard let base = bytes.baseAddress else { return nil }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { xmlReadMemory($0, Int32(bytes.count), path, nil, options) }
        }
        guard let document else { return nil }
        guard let root = xmlDocGetRootElement(document) else { return nil }
        // Child names interned in the part's dictionary, as the tree's names are: compared by pointer.
        let dictionary = document.pointee.dict
        let interned: [UnsafePointer<xmlChar>?] = evaluators.map { evaluator in
            guard let dictionary, case .child(let name, _) = evaluator else { return nil }
            return xmlDictLookup(dictionary, name, -1)
        }
        var walk = PartWalk(table: self, part: part, steps: steps, lastNamespace: lastNamespace, evaluators: evaluators, interned: interned,
                            batch: XMLRecordBatch(fields: evaluators.count, capacity: batchSize), batchSize: batchSize)
        defer { if let context = walk.context { xmlXPathFreeContext(context) } }
        guard walk.visit(root, depth: 0) else { return nil }
        if walk.batch.count > 0 { walk.batches.append(walk.batch) }
        return (walk.batches, walk.count)
    }
}

/// The record path walked over a part's tree, as `PartnerXMLTable.read(path:)` walks the stream:
/// local names compared at every step, the namespace at the last.
private struct PartWalk {
    let table: PartnerXMLTable
    let part: XMLPart
    let steps: [[CChar]]
    let lastNamespace: [CChar]?
    let evaluators: [FieldPath]
    let interned: [UnsafePointer<xmlChar>?]
    var batch: XMLRecordBatch
    let batchSize: Int
    var batches: [XMLRecordBatch] = []
    var count = 0
    var context: xmlXPathContextPtr?

    /// False when a record's line cannot be told.
    mutating func visit(_ node: xmlNodePtr, depth: Int) -> Bool {
        guard let name = node.pointee.name, Self.equal(name, steps[depth]) else { return true }
        guard depth == steps.count - 1 else {
            var child = node.pointee.children
            while let c = child {
                if c.pointee.type == XML_ELEMENT_NODE, !visit(c, depth: depth + 1) { return false }
                child = c.pointee.next
            }
            return true
        }
        if let lastNamespace {
            guard let href = node.pointee.ns?.pointee.href, Self.equal(href, lastNamespace) else { return true }
        }
        count += 1
        guard let line = recordLine(node, offset: part.lineOffset) else { return false }
        if part.refusals, let value = xmlGetProp(node, XMLGuard.refusalAttribute) {
            batch.refusals[batch.count] = XMLStreamReader.refusal(String(cString: value))
            impact_xmlFree(value)
            for _ in evaluators { batch.bounds += [batch.bytes.count, batch.bytes.count] }
        } else {
            do {
                try table.append(node, evaluators, context: &context, to: &batch, interned: interned) {
                    XMLReadError(file: "", line: line, column: 0, message: "cannot evaluate XPath")
                }
            } catch {
                return false
            }
        }
        batch.lines.append(line)
        batch.indices.append(count)
        if batch.count == batchSize {
            batches.append(batch)
            batch = XMLRecordBatch(fields: evaluators.count, capacity: batchSize)
        }
        return true
    }

    static func equal(_ a: UnsafePointer<xmlChar>, _ b: [CChar]) -> Bool {
        b.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return strcmp(UnsafeRawPointer(a).assumingMemoryBound(to: CChar.self), base) == 0
        }
    }
}
