import CLibXML2
import CXMLArena
import Foundation
import InputFiles
import Records

/// How a partner-XML file was read: its digest (when read to its end) and by how many readers.
public struct XMLReading: Sendable {
    public let digest: ReadDigest?
    /// Readers that parsed parts of the file at once (1: one reader over the whole file).
    public let readers: Int
    /// For the run log: `2 readers of parts, 239 parts`, or why one reader read the file.
    public let note: String

    public init(digest: ReadDigest?, readers: Int, note: String) {
        self.digest = digest
        self.readers = readers
        self.note = note
    }
}

extension PartnerXMLTable {
    /// Streams the records of `path` in batches, in file order, parsed in parts by `readers` libxml2
    /// parsers at once (`XMLSplitReader`); by one streaming reader where splitting is not safe (the note says why).
    /// Records, values, lines, indices, refusals and errors are those one reader gives.
    public func read(path: String, readers: Int, emit: (XMLRecordBatch) throws -> Void) throws -> XMLReading {
        // Split even for one reader thread: parsing whole parts (trees in an arena) costs less CPU
        // than the streaming reader, and the guard's lexer runs beside it.
        if let why = splitHazard() {
            let digest = try read(path: path, batchSize: 1_024, skipping: 0, emit: emit)
            return XMLReading(digest: digest, readers: 1, note: "one reader: \(why)")
        }
        return try XMLSplitReader(table: self, path: path, readers: readers).run(emit: emit)
    }

    /// Why the records' fields could not be read from parts, if they could not: a field looking
    /// outside its record other than at its parent's attributes, a record at the root.
    func splitHazard() -> String? {
        let depth = recordPath.split(separator: "/").count
        if depth < 2 { return "the record is the root element" }
        for x in xpaths where FieldPath.simple(x, namespaces: namespaces).map({ $0.free(); return false }) ?? true {
            if Self.looksOutside(x) { return "the XPath '\(x)' may look outside its record" }
        }
        return nil
    }

    /// Whether an XPath may read beyond its record (the parent's attributes aside, which parts carry):
    /// `..`, an absolute path, an axis, a variable or `id()`.
    static func looksOutside(_ xpath: String) -> Bool {
        if xpath.contains("..") || xpath.contains("::") || xpath.contains("$") || xpath.contains("id(") { return true }
        // A '/' must continue a relative step (`p:A/p:B`, `.//x`), never start a path.
        let chars = Array(xpath)
        for (i, c) in chars.enumerated() where c == "/" {
            var j = i - 1
            while j >= 0, chars[j] == " " { j -= 1 }
            if j < 0 { return true }
            let before = chars[j]
            if !(before.isLetter || before.isNumber || "._-]):*/".contains(before)) { return true }
        }
        return false
    }
}

/// Reads one partner-XML file in parts (`XMLSplitter` on a thread of its own, then `readers`
/// threads each parsing whole parts with `xmlReadMemory`), merging the parts' records back in
/// file order on the calling thread. Any part that does not read cleanly (a parse error, the guard
/// stopping the document, a line that cannot be told) hands over to one reader from the file's
/// start, which skips the records already emitted: the outcome is then one reader's by construction.
public final class XMLSplitReader: @unchecked Sendable {
    let table: PartnerXMLTable
    let path: String
    let readers: Int
    /// Bytes per part (a cut is noted after the first record end past this many bytes).
    let partBytes: Int
    private let state = NSCondition()
    private var queue: [XMLPart] = []
    private var results: [Int: [XMLRecordBatch]?] = [:]  // nil: the part could not be read alone
    private var sizes: [Int: (count: Int, bytes: Int)] = [:]
    private var inFlight = 0
    private var sent = 0
    private var end: XMLSplitter.End?
    private var stopped = false
    private let threads = DispatchGroup()

    /// Readers for this machine: the cores this process may run on (its CPU affinity: `taskset`),
    /// at most 4; `IMPACT_XML_READERS` overrides it (benchmarks).
    public static var defaultReaders: Int {
        if let text = ProcessInfo.processInfo.environment["IMPACT_XML_READERS"], let n = Int(text), n > 0 { return n }
        return min(Cores.available, 4)
    }

    /// libxml2's allocator switched, once, to one with per-thread arenas (`CXMLArena`): malloc and
    /// free outside them. A part's tree freed node by node cost more than parsing it (glibc's
    /// fastbin consolidation: 31 % of the run's CPU against 8 % with one streaming reader).
    static let arena: Bool = {
        xmlInitParser()  // once, before parsers run on several threads (`prepare`)
        guard impact_arena_setup() == 0 else { return false }
        return xmlMemSetup(impact_arena_free, impact_arena_malloc, impact_arena_realloc, impact_arena_strdup) == 0
    }()

    /// Initialises libxml2 and switches its allocator now, on this thread: before another thread
    /// may parse with libxml2 (sources read beside the attendance), as libxml2 sets both unlocked.
    public static func prepare() { _ = arena }

    /// Bytes past a record that must parse before it is given (one reader reads ahead by 4 KiB
    /// blocks pushed in 512-byte chunks: a margin of sixteen such blocks).
    static let lookahead = 64 << 10

    /// Parts held at once (queued, being parsed, or parsed and waiting their turn): bounds memory.
    var maxInFlight: Int { readers + 3 }

    init(table: PartnerXMLTable, path: String, readers: Int, partBytes: Int = 1 << 20) {
        self.table = table
        self.path = path
        self.readers = readers
        self.partBytes = partBytes
    }

    func run(emit: (XMLRecordBatch) throws -> Void) throws -> XMLReading {
        let (stepNames, namespace) = try table.steps(path: path)
        let lastNamespace = namespace.map { Array($0.utf8CString) }
        try table.evaluators(path: path).forEach { $0.free() }  // an invalid XPath is said before any thread starts
        let arena = Self.arena
        let limits = XMLGuard.Limits(recordDepth: stepNames.count - 1, recordBytes: table.maxRecordBytes, cutBytes: partBytes)
        let splitter: XMLSplitter
        do { splitter = try XMLSplitter(path: path, limits: limits) } catch { throw XMLReadError(file: path, line: 0, column: 0, message: error.message) }
        start { [self] in
            let outcome = splitter.run { part in self.send(part) }
            state.lock()
            end = outcome
            state.broadcast()
            state.unlock()
        }
        for _ in 0..<readers {
            start { [self] in parse(steps: stepNames, lastNamespace: lastNamespace, arena: arena) }
        }
        // A part's records go out only once the parts after it have parsed over `lookahead` bytes:
        // one reader parses a little ahead of the records it returns, so a parse error just after
        // a record keeps that record from it too, and the records given before an error must be its.
        var held: [(batches: [XMLRecordBatch], count: Int, bytes: Int)] = []
        var heldBytes = 0
        var emitted = 0
        var next = 0
        func release(all: Bool) throws {
            while let first = held.first, all || heldBytes - first.bytes >= Self.lookahead {
                for var batch in first.batches {
                    for i in batch.indices.indices { batch.indices[i] += emitted }
                    try emit(batch)
                }
                emitted += first.count
                heldBytes -= first.bytes
                held.removeFirst()
            }
        }
        do {
            while let (batches, count, bytes) = take(next) {
                guard let batches else { return try oneReader(after: emitted, emit: emit, note: "\(readers) reader\(readers == 1 ? "" : "s") of parts, then one reader from part \(next + 1) on (a part that did not read alone: a parse error, or a line libxml2 cannot tell)") }
                held.append((batches, count, bytes))
                heldBytes += bytes
                next += 1
                try release(all: false)
            }
            if case .complete = end { try release(all: true) }
        } catch {
            stop()
            throw error
        }
        stop()
        switch end {
        case .complete(let digest) where emitted > 0:
            return XMLReading(digest: digest, readers: readers, note: "\(readers) reader\(readers == 1 ? "" : "s") of parts, \(next) parts")
        case .complete:
            return try oneReader(after: 0, emit: emit, note: "one reader: no record in the parts")
        case .unsafe(let why) where next == 0:
            return try oneReader(after: 0, emit: emit, note: "one reader: \(why)")
        case .unsafe, .failed, nil:
            return try oneReader(after: emitted, emit: emit, note: "\(readers) reader\(readers == 1 ? "" : "s") of parts, then one reader from part \(next + 1) on (the document stops there)")
        }
    }

    /// One reader from the file's start, the first `after` records (already emitted) passed over.
    private func oneReader(after: Int, emit: (XMLRecordBatch) throws -> Void, note: String) throws -> XMLReading {
        stop()
        let digest = try table.read(path: path, batchSize: 1_024, skipping: after, emit: emit)
        return XMLReading(digest: digest, readers: 1, note: note)
    }

    private func start(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Stops the threads and waits for them.
    private func stop() {
        state.lock()
        stopped = true
        queue.removeAll()
        state.broadcast()
        state.unlock()
        threads.wait()
    }

    /// Splitter: queues a part once fewer than `maxInFlight` are held; false once stopped.
    private func send(_ part: XMLPart) -> Bool {
        state.lock()
        defer { state.unlock() }
        while inFlight >= maxInFlight && !stopped { state.wait() }
        guard !stopped else { return false }
        inFlight += 1
        sent += 1
        queue.append(part)
        state.broadcast()
        return true
    }

    /// Merger: part `index`'s batches (nil: it could not be read alone), records and bytes; nil
    /// when no part `index` will come.
    private func take(_ index: Int) -> ([XMLRecordBatch]?, Int, Int)? {
        state.lock()
        defer { state.unlock() }
        while results[index] == nil && !(end != nil && sent <= index) { state.wait() }
        guard let result = results.removeValue(forKey: index) else { return nil }
        let size = sizes.removeValue(forKey: index) ?? (0, 0)
        inFlight -= 1
        state.broadcast()
        return (result, size.count, size.bytes)
    }

    /// Reader thread: parses parts until the splitter is done and the queue empty.
    private func parse(steps: [[CChar]], lastNamespace: [CChar]?, arena: Bool) {
        impact_silenceErrors()
        defer { if arena { impact_arena_release() } }
        guard let evaluators = try? table.evaluators(path: path) else { return }
        defer { evaluators.forEach { $0.free() } }
        while true {
            state.lock()
            while queue.isEmpty && end == nil && !stopped { state.wait() }
            guard !stopped, !queue.isEmpty else {
                state.unlock()
                return
            }
            let part = queue.removeFirst()
            state.unlock()
            let read = table.read(part, steps: steps, lastNamespace: lastNamespace, evaluators: evaluators, path: path, arena: arena)
            state.lock()
            results.updateValue(read.map(\.batches), forKey: part.index)
            sizes[part.index] = (read?.count ?? 0, part.bytes.count)
            state.broadcast()
            state.unlock()
        }
    }
}
