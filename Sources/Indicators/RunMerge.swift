import Foundation
import Records

// Reading the sorted runs back: each run (or a range of it) through a `RunReader`, merged by a
// `ParticipationCursor` (`ParticipationRuns.sorted(parts:)` makes them).

/// Merges sorted runs: a binary heap of readers ordered by their current line.
struct ParticipationCursor {
    private let readers: [RunReader]
    /// The same readers, called without a retain and release per line (1.8 % of a CSV-only run's
    /// samples each, on the thread that resolves); `readers` keeps them alive.
    private let unretained: [Unmanaged<RunReader>]
    private var heads: [Participation] = []
    private var heap: [Int] = []

    init(readers: [RunReader]) {
        self.readers = readers
        unretained = readers.map { Unmanaged.passUnretained($0) }
        for (i, reader) in readers.enumerated() {
            if let head = reader.next() {
                heads.append(head)
                heap.append(i)
            } else {
                heads.append(.zero)  // never read: not in the heap
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { down(i) }
    }

    /// The next line in order, nil at the end.
    mutating func next() throws -> Participation? {
        guard let top = heap.first else {
            if let failed = readers.first(where: \.failed) { throw SpillError(path: failed.path, operation: "read") }
            return nil
        }
        let line = heads[top]
        if let next = unretained[top]._withUnsafeGuaranteedRef({ $0.next() }) {
            heads[top] = next
        } else {
            heap[0] = heap[heap.count - 1]
            heap.removeLast()
        }
        if !heap.isEmpty { down(0) }
        return line
    }

    private mutating func down(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && Participation.precedes(heads[heap[l]], heads[heap[m]]) { m = l }
            if r < n && Participation.precedes(heads[heap[r]], heads[heap[m]]) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}

/// Reads one sorted run back in blocks of 64 KB: all of it, or a range of its lines.
final class RunReader {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private var memory: LineBuffer?
    private var block: [Participation]
    private var position = 0
    private var filled = 0
    /// Lines still to read from the file.
    private var remaining: Int
    private(set) var failed = false

    private static let stride = MemoryLayout<Participation>.stride

    /// Lines `lines` of the run at `path`, read `blockBytes` at a time.
    init(path: String, lines: Range<Int>, blockBytes: Int = 1 << 16) throws {
        self.path = path
        guard let file = fopen(path, "rb") else { throw SpillError(path: path, operation: "open") }
        self.file = file
        remaining = lines.count
        block = lines.isEmpty ? [] : Array(repeating: .zero, count: min(lines.count, max(1, blockBytes / Self.stride)))
        if lines.lowerBound > 0, fseeko(file, off_t(lines.lowerBound * Self.stride), SEEK_SET) != 0 {
            throw SpillError(path: path, operation: "read")
        }
    }

    /// Lines `lines` of those still in memory (the last, partial run), read in place.
    init(memory: LineBuffer, lines: Range<Int>) {
        path = "memory"
        self.memory = memory
        block = []
        position = lines.lowerBound
        filled = lines.upperBound
        remaining = 0
    }

    deinit { if let file { fclose(file) } }

    /// Where each of the ascending person-hash `bounds` falls in the run at `path`: 0, the index
    /// of the first line whose person is at least each bound, then the run's line count.
    static func cuts(path: String, at bounds: [UInt64]) throws -> [Int] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SpillError(path: path, operation: "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SpillError(path: path, operation: "read") }
        let count = Int(info.st_size) / stride
        var cuts = [0]
        for bound in bounds {
            var low = cuts[cuts.count - 1], high = count
            while low < high {
                let middle = (low + high) / 2
                var line = Participation.zero
                guard pread(fd, &line, stride, off_t(middle * stride)) == stride else { throw SpillError(path: path, operation: "read") }
                if line.person < bound { low = middle + 1 } else { high = middle }
            }
            cuts.append(low)
        }
        return cuts + [count]
    }

    func next() -> Participation? {
        if let memory {
            guard position < filled else { return nil }
            position += 1
            return memory[position - 1]
        }
        if position == filled {
            guard let file, remaining > 0 else { return nil }
            let wanted = min(remaining, block.count)
            let read = block.withUnsafeMutableBytes { fread($0.baseAddress, Self.stride, wanted, file) }
            if read == 0 {
                failed = true  // the run is shorter than it was when cut, or unreadable
                return nil
            }
            remaining -= read
            filled = read
            position = 0
        }
        position += 1
        return block[position - 1]
    }
}
