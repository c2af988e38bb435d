import Foundation
import Records

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
    let bufferLimit: Int
    /// Where the runs' folder is made (nil: TMPDIR, else /tmp).
    let temporaryBase: String?

    /// Lines appended and not yet handed out (every run holds a full buffer).
    var count: Int { runs.count * bufferLimit + (buffer?.count ?? 0) }

    /// `bufferLimit` lines (40 bytes each) in memory at most before a run is written; while one is
    /// sorted and written, the next buffer fills (three buffers at most: the filling one, the full
    /// one and its sorted copy, until the full one is released before the write).
    init(bufferLimit: Int = 1 << 18, temporaryBase: String? = nil) {
        self.bufferLimit = max(1, bufferLimit)
        self.temporaryBase = temporaryBase
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
        let current = buffer ?? LineBuffer(capacity: bufferLimit)
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
        let job = SpillJob(full)
        self.job = job
        buffer = LineBuffer(capacity: bufferLimit)
        writer.async { job.run(path: path) }
    }

    /// Waits for the run being written, or throws its error.
    private func finishWriting() throws {
        guard let job else { return }
        job.done.wait()
        self.job = nil
        if let error = job.error { throw error }
    }

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
        try finishWriting()
        buffer = buffer?.sortedLines()
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
/// Unchecked: the writer queue is the only one touching `buffer` and `error` until it signals
/// `done`; the owner reads `error` only after waiting on it.
final class SpillJob: @unchecked Sendable {
    private var buffer: LineBuffer?
    var error: SpillError?
    let done = DispatchSemaphore(value: 0)

    init(_ buffer: LineBuffer) { self.buffer = buffer }

    func run(path: String) {
        defer {
            // Released, not kept for the next run: it would sit in memory through the survey sources.
            buffer = nil
            done.signal()
        }
        guard let sorted = buffer?.sortedLines() else { return }
        buffer = nil  // the unsorted lines go back to the system before the run is written (no other reference is held)
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

/// Attendance lines waiting for their run, in pages mapped for the purpose and unmapped once the
/// run is written, so the 10 MB go back to the system at once (malloc's heap, freed on the writer's
/// thread, did not reuse them whole: docs/performance.md).
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

    /// The lines sorted by `Participation.precedes`: dealt by the top bits of the person hash into
    /// a new buffer (one stable pass), about 8 lines per bucket, each bucket sorted there, and that
    /// buffer returned (not copied back: 10 MB a run; this one is left unsorted). The same order as one sort (the order is
    /// total), for less of a core than one merge sort over the whole buffer; buckets of a few hundred
    /// lines took 2.2× the CPU of these (docs/performance.md).
    func sortedLines() -> LineBuffer {
        let n = count
        guard n > 1 else { return self }
        let scratch = LineBuffer(capacity: n)
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
