// Partner XML through the guard and libxml2. Three checks per input:
// - the guard's output, failure and refusals do not depend on how the input is cut in blocks;
// - the table reader with a small record limit (2 kB), so refused records, stand-ins and the
//   errors after them are exercised: no crash, no leak, no error that is not an XMLReadError;
// - read in parts cut at every record end (`XMLSplitReader`), the file gives one reader's records
//   (values, lines, indices, refusals) and error, with an XPath (parts as trees) and with simple
//   paths only (parts through SAX2 callbacks);
// - the guard is transparent: when it neither stops the document nor cuts content after the root,
//   libxml2 reports through it the very nodes it reports reading the bytes directly (the same
//   sequence up to the first error, and an error on one side only when the other has one too).
import CLibXML2
import Glibc
import FuzzSupport
@testable import IngestXML

/// Every node as "type depth {namespace}name value empty".
func nodes(_ next: () throws -> Bool, _ describe: () -> String) -> (nodes: [String], failed: Bool) {
    var out: [String] = []
    do {
        while try next() {
            out.append(describe())
            if out.count > 200_000 { finding("more nodes than bytes") }
        }
        return (out, false)
    } catch {
        return (out, true)
    }
}

/// What the guard hands libxml2 of `data` read in blocks of `block` bytes, with what it found.
func guarded(_ data: UnsafePointer<UInt8>, _ size: Int, block: Int) -> String {
    var offset = 0
    let guardian = XMLGuard(limits: XMLGuard.Limits(recordDepth: 2, recordBytes: 2_048)) { next in
        guard offset < size else { return 0 }
        next = Array(UnsafeBufferPointer(start: data + offset, count: min(block, size - offset)))
        offset += block
        return 1
    }
    var out: [UInt8] = []
    var buffer = [CChar](repeating: 0, count: 4_096)
    while true {
        let n = buffer.withUnsafeMutableBufferPointer { guardian.read(into: $0.baseAddress!, count: $0.count) }
        if n <= 0 { break }
        out += buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }
        if out.count > 2 * size + 100_000 { finding("the guard hands over more than the input holds") }
    }
    return "\(out) \(guardian.failure ?? "-") \(guardian.failureLine ?? 0) \(guardian.trailingContent) \(guardian.refusedRecords)"
}

/// Every record of a reading (index, line, refusal, values) and its error.
func outcome(_ read: ((XMLRecordBatch) throws -> Void) throws -> Void) -> String {
    var out = ""
    do {
        try read { batch in
            for i in 0..<batch.count { out += "\(batch.indices[i]) \(batch.lines[i]) \(batch.refusals[i] ?? "") \(batch.record(i, path: "").values)\n" }
        }
    } catch {
        out += "error \(error)"
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPartnerXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // Blocks of 1 to 61 bytes, at most 64 of them (a byte at a time, 64 kB documents ran at 18
    // executions/s).
    let cut = size > 0 ? Int(data[size - 1]) : 0
    let block = max(cut % 61 + 1, size / 64 + cut % 7)
    if guarded(data, size, block: 1 << 20) != guarded(data, size, block: block) {
        finding("the guard's output depends on the blocks (\(block) bytes)")
    }
    let path = Scratch.write(UnsafeBufferPointer(start: data, count: size))
    let table = PartnerXMLTable(recordPath: "/Export/Session/Participant", xpaths: ["../@code", "@email", "Profil", "normalize-space(.)"],
                                namespaces: [:], maxRecordBytes: 2_048)
    do {
        try table.read(path: path) { (record: XMLRecord) in _ = record.values }
    } catch is XMLReadError {
    } catch {
        finding("not an XMLReadError: \(error)")
    }
    let one = outcome { emit in try table.read(path: path, batchSize: 1_024, skipping: 0, emit: emit) }
    let parts = outcome { emit in _ = try XMLSplitReader(table: table, path: path, readers: 2, partBytes: 1).run(emit: emit) }
    if parts != one { finding("read in parts: \(parts)\none reader: \(one)") }
    // Simple paths only: the parts are read through SAX2 callbacks, no tree built (`readWithoutTree`).
    let simple = PartnerXMLTable(recordPath: "/Export/Session/Participant", xpaths: ["../@code", "@email", "Profil", "."],
                                 namespaces: [:], maxRecordBytes: 2_048)
    let simpleOne = outcome { emit in try simple.read(path: path, batchSize: 1_024, skipping: 0, emit: emit) }
    let simpleParts = outcome { emit in _ = try XMLSplitReader(table: simple, path: path, readers: 2, partBytes: 1).run(emit: emit) }
    if simpleParts != simpleOne { finding("read in parts without trees: \(simpleParts)\none reader: \(simpleOne)") }

    // Transparency: through the guard (no records held) against libxml2 on the same bytes.
    guard let reader = try? XMLStreamReader(path: path) else { return 0 }
    let guarded = nodes({ try reader.read() }) {
        var value: [UInt8] = []
        reader.appendValue(to: &value)
        return "\(reader.nodeType) \(reader.depth) {\(reader.namespaceURI ?? "")}\(reader.localName) \(value) \(reader.isEmptyElement)"
    }
    let guardian = reader.guardian
    if guardian.failure != nil || guardian.trailingContent { return 0 }
    // The guard's input drops white space before the first byte: so does the direct read.
    var start = 0
    while start < size, [0x20, 0x09, 0x0A, 0x0D].contains(data[start]) { start += 1 }
    guard let direct = xmlReaderForMemory(UnsafeRawPointer(data + start).assumingMemoryBound(to: CChar.self), Int32(size - start),
                                          path, nil, hardenedXMLOptions) else { return 0 }
    defer { xmlFreeTextReader(direct) }
    let plain = nodes({
        let status = xmlTextReaderRead(direct)
        if status < 0 { throw XMLReadError(file: path, line: 0, column: 0, message: "") }
        return status == 1
    }) {
        var value: [UInt8] = []
        if let v = xmlTextReaderConstValue(direct) { value = Array(UnsafeBufferPointer(start: v, count: strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self)))) }
        let name = xmlTextReaderConstLocalName(direct).map { String(cString: $0) } ?? ""
        let uri = xmlTextReaderConstNamespaceUri(direct).map { String(cString: $0) } ?? ""
        return "\(UInt32(bitPattern: xmlTextReaderNodeType(direct))) \(xmlTextReaderDepth(direct)) {\(uri)}\(name) \(value) \(xmlTextReaderIsEmptyElement(direct) == 1)"
    }
    // The guarded reader refuses entity references and deep nesting on its own too (after the nodes): compare what both read.
    let common = min(guarded.nodes.count, plain.nodes.count)
    if Array(guarded.nodes.prefix(common)) != Array(plain.nodes.prefix(common)) {
        let i = (0..<common).first { guarded.nodes[$0] != plain.nodes[$0] } ?? common
        finding("through the guard, node \(i) is \(guarded.nodes[i]); read directly, \(plain.nodes[i])")
    }
    if !guarded.failed && !plain.failed && guarded.nodes.count != plain.nodes.count {
        finding("\(guarded.nodes.count) nodes through the guard, \(plain.nodes.count) read directly")
    }
    if !plain.failed && guarded.failed && guarded.nodes.count < plain.nodes.count && guardian.failure == nil {
        // The reader's own refusals (entity reference nodes, depth) stop it early: only those may.
        let node = plain.nodes[guarded.nodes.count]
        if !(node.hasPrefix("5 ") || node.hasPrefix("1 ")) { finding("the guarded read failed at \(node), the direct read did not") }
    }
    return 0
}

@_cdecl("FuzzPartnerXML_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzzPartnerXML)
}
