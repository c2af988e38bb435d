import Foundation
import Records
import Synchronization

/// One attendance line awaiting resolution (40 bytes, written to disk as is).
struct Participation: Sendable {
    /// Stable hash of the person.
    var person: UInt64
    /// Reading order: decides which of two lines for the same person and action came first.
    var seq: UInt64
    /// Stable hash of the organisation (meaningful when `hasOrganisation`). The hash itself, not an
    /// interned index: no cache miss per line, and the entry stays 40 bytes (docs/performance.md).
    var organisation: UInt64
    var entry: UInt32
    var line: UInt32
    /// XML element index + 1; 0 when none.
    var index: UInt32
    /// The low 16 bits of the index in `ReachState.places` (source and element path).
    private var placeLow: UInt16
    var type: UInt8
    /// Bit 0: has an organisation; bits 1–7: the place index's high bits (places differ per ODK
    /// instance file, so they may pass 65,536; 2²³ fit in the 40 bytes).
    private var flags: UInt8

    /// Places an index can name.
    static let placeLimit = 1 << 23

    init(person: UInt64, seq: UInt64, organisation: UInt64, entry: UInt32, line: UInt32, index: UInt32, place: Int, type: UInt8,
         hasOrganisation: Bool) {
        (self.person, self.seq, self.organisation, self.entry, self.line, self.index) = (person, seq, organisation, entry, line, index)
        self.type = type
        placeLow = UInt16(truncatingIfNeeded: place)
        flags = UInt8(truncatingIfNeeded: place >> 16) << 1 | (hasOrganisation ? 1 : 0)
    }

    /// Index in `ReachState.places`.
    var place: Int { Int(placeLow) | Int(flags >> 1) << 16 }
    var hasOrganisation: Bool { flags & 1 != 0 }

    static let zero = Participation(person: 0, seq: 0, organisation: 0, entry: 0, line: 0, index: 0, place: 0, type: 0, hasOrganisation: false)
    /// Ranks after every line read (no action has the entry `UInt32.max`, and `seq` breaks a tie
    /// with a line of the last person): a merged run's end.
    static let exhausted = Participation(person: .max, seq: .max, organisation: 0, entry: .max, line: 0, index: 0, place: 0, type: 0,
                                         hasOrganisation: false)

    /// The resolution order: by person, then action, then reading order.
    @inline(__always) static func precedes(_ a: Participation, _ b: Participation) -> Bool {
        if a.person != b.person { return a.person < b.person }
        if a.entry != b.entry { return a.entry < b.entry }
        return a.seq < b.seq
    }
}

/// Attendance lines held until every source is read, then handed back sorted by person.
///
/// At most `bufferLimit` lines are in memory, whatever the input's size: fuller buffers are sorted
/// and written as runs to a temporary folder, and the runs merged in one pass (docs/performance.md).
final class ParticipationRuns: @unchecked Sendable {
    // Unchecked: owned by one ReachState, used from one thread at a time (the aggregating thread);
    // the writer queue touches only the job it was handed.
    @exclusivity(unchecked) private var buffer: LineBuffer?  // unchecked: read per line, by one thread
    private var runs: [String] = []
    private var folder: SpillFolder?
    /// The run being sorted and written on the writer queue, if any.
    private var job: SpillJob?
    private let writer = DispatchQueue(label: "impact.participation-runs")
    /// Buffers written out, kept for the next runs while a source is read.
    private let spare: LineBufferPool
    let bufferLimit: Int
    /// Where the runs' folder is made (nil: TMPDIR, else /tmp).
    let temporaryBase: String?

    /// Lines appended and not yet handed out (every run holds a full buffer).
    var count: Int { runs.count * bufferLimit + (buffer?.count ?? 0) }

    /// `bufferLimit` lines (40 bytes each) in memory at most before a run is written; while one is
    /// sorted and written, the next buffer fills (three buffers at most: the filling one, the full
    /// one and its sorted copy, all three resident whole while a run is written: see `LineBufferPool`).
    init(bufferLimit: Int = 1 << 18, temporaryBase: String? = nil) {
        self.bufferLimit = max(1, bufferLimit)
        self.temporaryBase = temporaryBase
        spare = LineBufferPool(capacity: self.bufferLimit)
    }

    deinit {
        job?.done.wait()
        removeFiles()
    }

    /// Runs written so far (for tests and logs).
    var runCount: Int { runs.count }

    @inline(__always)
    func append(_ p: Participation) throws {
        // The common case borrows the buffer: taking it out and storing it back retained and released it per line.
        if let buffer, !buffer.isFull {
            buffer.append(p)
            return
        }
        try appendToFreshBuffer(p)
    }

    /// Starts the first buffer, or spills the full one, then appends.
    private func appendToFreshBuffer(_ p: Participation) throws {
        let current = buffer ?? spare.take()
        buffer = current
        if current.isFull { try spill(current) }
        buffer?.append(p)
    }

    /// Hands the full buffer to the writer queue and goes on with a fresh one (after waiting for
    /// the previous run). Sorting and writing on the aggregating thread stalled it a tenth of a
    /// second per run, while the reading thread waited for room to hand over records.
    private func spill(_ full: LineBuffer) throws {
        try finishWriting()
        let folder = try self.folder ?? SpillFolder(base: temporaryBase ?? FileManager.default.temporaryDirectory.path)  // TMPDIR, else /tmp
        self.folder = folder
        let path = "\(folder.path)/run-\(runs.count)"
        runs.append(path)
        // The sort's scratch is taken here, not on the writer queue: a take there could follow a
        // source's `releaseSpareBuffers` and keep the pool's buffers through the next sources.
        let job = SpillJob(full, scratch: spare.take(), spare: spare)
        self.job = job
        buffer = spare.take()
        writer.async { job.run(path: path) }
    }

    /// Waits for the run being written, or throws its error.
    private func finishWriting() throws {
        guard let job else { return }
        job.done.wait()
        self.job = nil
        if let error = job.error { throw error }
    }

    /// Unmaps the buffers kept for the next runs (a source was read to its end: the next one may
    /// bring no attendance line; the buffer being filled stays).
    func releaseSpareBuffers() { spare.drain() }

    /// Waits for the run being written (tests).
    func waitForWriter() throws { try finishWriting() }

    /// Buffers kept for the next runs (tests).
    var spareBuffersKept: Int { spare.kept }

    /// Every line once, sorted by `Participation.precedes`, through the cursor; the runs are
    /// handed over (their files unlinked once open) and this object is empty again.
    func sorted() throws -> ParticipationCursor {
        try sorted(parts: 1)[0]
    }

    /// Every line once, in `parts` cursors over consecutive ranges of person hashes (part `i` holds
    /// the persons whose hash is at least `i × ⌊2⁶⁴ / parts⌋`, below the next part's bound), each
    /// sorted by `Participation.precedes`: the runs are cut where a bound falls (a binary search in
    /// each), so parts can be walked on different threads. The runs are handed over as by `sorted()`.
    func sorted(parts: Int) throws -> [ParticipationCursor] {
        defer { spare.drain() }
        try finishWriting()
        buffer = buffer?.sortedLines(into: spare.take())  // a kept buffer, when there is one, for the last lines' sorted copy
        defer { removeFiles() }
        let parts = max(1, parts)
        let bounds = (1..<parts).map { UInt64($0) * (UInt64.max / UInt64(parts)) }
        var readers = [[RunReader]](repeating: [], count: parts)
        for run in runs {
            let cuts = try RunReader.cuts(path: run, at: bounds)
            // The parts share the 64 KB a run is read by, so memory does not grow with the cores.
            for part in 0..<parts {
                readers[part].append(try RunReader(path: run, lines: cuts[part]..<cuts[part + 1], blockBytes: max(4_096, (1 << 16) / parts)))
            }
        }
        if let buffer {
            let lines = buffer.lines
            let cuts = [0] + bounds.map { bound in
                var low = 0, high = lines.count  // the first line whose person is at least `bound`
                while low < high {
                    let middle = (low + high) / 2
                    if lines[middle].person < bound { low = middle + 1 } else { high = middle }
                }
                return low
            } + [lines.count]
            for part in 0..<parts { readers[part].append(RunReader(memory: buffer, lines: cuts[part]..<cuts[part + 1])) }
        }
        buffer = nil
        return readers.map(ParticipationCursor.init)
    }

    private func removeFiles() {
        Cleanup.critical {
            for run in runs { unlink(run) }
            runs = []
            folder?.remove()
            folder = nil
        }
    }
}

/// One full buffer sorted and written as a run on the writer queue.
///
/// Unchecked: the writer queue is the only one touching `full`, `scratch` and `error` until it
/// signals `done`; the owner reads `error` only after waiting on it.
final class SpillJob: @unchecked Sendable {
    // Dropped when the run starts: the owner keeps the job until the next run, and the pool alone
    // must hold the buffers then (a drain unmaps them).
    private var full: LineBuffer?
    private var scratch: LineBuffer?
    private let spare: LineBufferPool
    var error: SpillError?
    let done = DispatchSemaphore(value: 0)

    /// `full` sorted into `scratch`, both given back to `spare` once the run is written.
    init(_ full: LineBuffer, scratch: LineBuffer, spare: LineBufferPool) {
        self.full = full
        self.scratch = scratch
        self.spare = spare
    }

    func run(path: String) {
        guard let full, let scratch else {
            done.signal()
            return
        }
        (self.full, self.scratch) = (nil, nil)
        let sorted = full.sortedLines(into: scratch)
        // Both go back to the pool once written (the next run's buffer and scratch), not to the
        // system: a fresh mapping is faulted in and zeroed a page at a time (docs/performance.md).
        defer {
            spare.give(full)
            spare.give(scratch)
            done.signal()
        }
        let lines = sorted.lines
        // Inside Cleanup.critical: an interruption removes the folder before or after this file exists, never while it is made.
        guard let file = Cleanup.critical({ fopen(path, "wb") }) else {
            error = SpillError(path: path, operation: "create")
            return
        }
        let written = fwrite(lines.baseAddress, MemoryLayout<Participation>.stride, lines.count, file)
        let closed = fclose(file)
        if written != lines.count || closed != 0 {
            error = SpillError(path: path, operation: "write")
        }
    }
}

/// Line buffers of one capacity, written out and kept for the next runs: a fresh mapping is faulted
/// in and zeroed page by page on first touch, about 3 % of the CPU of a 1 GB CSV-only run for its
/// two buffers a run (docs/performance.md). Holds two at most (a run's lines and its sorted copy):
/// still three buffers at most, but resident whole (a fresh one held only the lines appended so far),
/// 8 MiB more at the peak of a 1 GB run. `drain` unmaps them, and buffers given back after it are
/// unmapped until the next `take`.
final class LineBufferPool: Sendable {
    private let state = Mutex<(free: [LineBuffer], keeping: Bool)>(([], true))
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// An empty buffer: one kept, else a fresh one.
    func take() -> LineBuffer {
        let kept = state.withLock { state -> LineBuffer? in
            state.keeping = true
            return state.free.popLast()
        }
        return kept ?? LineBuffer(capacity: capacity)
    }

    /// A buffer no longer used by anyone: kept emptied (two at most), else unmapped.
    func give(_ buffer: LineBuffer) {
        guard buffer.capacity == capacity else { return }
        buffer.removeAll()
        state.withLock { state in
            if state.keeping && state.free.count < 2 && !state.free.contains(where: { $0 === buffer }) { state.free.append(buffer) }
        }
    }

    /// Unmaps the buffers kept, and those given back until the next `take`.
    func drain() {
        let dropped = state.withLock { state -> [LineBuffer] in
            state.keeping = false
            defer { state.free = [] }
            return state.free
        }
        _ = dropped  // unmapped here, outside the lock
    }

    /// Buffers kept (for tests).
    var kept: Int { state.withLock { $0.free.count } }
}

/// Attendance lines waiting for their run, in pages mapped for the purpose and unmapped when the
/// buffer goes (kept for the next runs by `LineBufferPool` while a source is read), so the 10 MB go
/// back to the system at once (malloc's heap, freed on the writer's thread, did not reuse them whole:
/// docs/performance.md).
final class LineBuffer: @unchecked Sendable {
    // Unchecked: filled by one thread, then handed whole to the writer queue (see SpillJob).
    let capacity: Int
    private(set) var count = 0
    private let base: UnsafeMutablePointer<Participation>
    private let mapped: Bool

    init(capacity: Int) {
        self.capacity = capacity
        let raw = mmap(nil, capacity * MemoryLayout<Participation>.stride, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let raw, raw != MAP_FAILED {
            base = raw.bindMemory(to: Participation.self, capacity: capacity)
            mapped = true
        } else {
            base = .allocate(capacity: capacity)
            mapped = false
        }
    }

    deinit {
        if mapped { munmap(base, capacity * MemoryLayout<Participation>.stride) } else { base.deallocate() }
    }

    var isFull: Bool { count == capacity }

    /// Line `i` (below `count`).
    subscript(_ i: Int) -> Participation { base[i] }

    /// The lines appended, to sort or write in place.
    var lines: UnsafeMutableBufferPointer<Participation> { UnsafeMutableBufferPointer(start: base, count: count) }

    func append(_ p: Participation) {
        precondition(count < capacity, "line buffer overflow")
        (base + count).initialize(to: p)
        count += 1
    }

    /// Empties the buffer for reuse (its lines are plain values: nothing to release).
    func removeAll() { count = 0 }

    /// The lines sorted by `Participation.precedes`: dealt by the top bits of the person hash into
    /// a new buffer (one stable pass), about 8 lines per bucket, each bucket sorted there, and that
    /// buffer returned (not copied back: 10 MB a run; this one is left unsorted). The same order as one sort (the order is
    /// total), for less of a core than one merge sort over the whole buffer; buckets of a few hundred
    /// lines took 2.2× the CPU of these (docs/performance.md).
    /// `scratch`, when given, receives them if it holds as many (it is emptied first), else a new buffer does.
    func sortedLines(into scratch: LineBuffer? = nil) -> LineBuffer {
        let n = count
        guard n > 1 else { return self }
        let scratch = scratch.flatMap { $0.capacity >= n && $0 !== self ? $0 : nil } ?? LineBuffer(capacity: n)
        scratch.removeAll()
        let bits = max(1, min(16, Int.bitWidth - n.leadingZeroBitCount - 4))
        let shift = UInt64(64 - bits), buckets = 1 << bits
        var starts = [Int](repeating: 0, count: buckets + 1)
        for i in 0..<n { starts[Int(truncatingIfNeeded: base[i].person >> shift) + 1] += 1 }
        for b in 0..<buckets { starts[b + 1] += starts[b] }
        var next = starts
        for i in 0..<n {
            let b = Int(truncatingIfNeeded: base[i].person >> shift)
            (scratch.base + next[b]).initialize(to: base[i])
            next[b] += 1
        }
        for b in 0..<buckets where starts[b + 1] - starts[b] > 1 {
            var bucket = UnsafeMutableBufferPointer(start: scratch.base + starts[b], count: starts[b + 1] - starts[b])
            bucket.sort(by: Participation.precedes)
        }
        scratch.count = n
        return scratch
    }
}

/// A temporary run could not be written or read back (disk full, TMPDIR not writable).
public struct SpillError: ImpactError {
    public let path: String
    public let operation: String
    /// The system's reason, taken when the error is made (errno changes afterwards).
    public let reason: String

    init(path: String, operation: String, reason: String = String(cString: strerror(errno))) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    public var description: String {
        "could not \(operation) \(path) (attendance lines are sorted on disk at this size): \(reason); set TMPDIR to a writable folder with free space"
    }
}
