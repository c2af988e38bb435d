import Foundation
import Records

// Reading the sorted runs back: each run (or a range of it) through a `RunReader`, merged by a
// `ParticipationCursor` (`ParticipationRuns.sorted(parts:)` makes them).

/// Merges sorted runs: a tournament of losers over the readers' current lines. Replacing the line
/// taken costs one comparison per level of the tree (a binary heap made two, and moved indices).
///
/// A class: the readers' positions and the tree sit in storage of its own, read without a bounds or
/// uniqueness check per line, and a reader is called only when its block is used up. One thread uses
/// a cursor.
final class ParticipationCursor {
    private let readers: [RunReader]
    /// The same readers, called without a retain and release; `readers` keeps them alive.
    private let unretained: [Unmanaged<RunReader>]
    private let count: Int
    /// Each reader's current line, in its block (`end`: the block's end), or `exhausted` once it has none left.
    private let current: UnsafeMutablePointer<UnsafePointer<Participation>>
    private let end: UnsafeMutablePointer<UnsafePointer<Participation>>
    private let exhausted: UnsafeMutablePointer<Participation>
    /// `losers[0]`: the reader holding the next line; `losers[n]` (0 < n < count): the reader that
    /// lost the match at node n, whose children are nodes 2n and 2n + 1 (reader i is leaf count + i).
    private let losers: UnsafeMutablePointer<Int>

    init(readers: [RunReader]) {
        self.readers = readers
        unretained = readers.map { Unmanaged.passUnretained($0) }
        count = readers.count
        exhausted = .allocate(capacity: 1)
        exhausted.initialize(to: .exhausted)
        current = .allocate(capacity: max(1, count))
        end = .allocate(capacity: max(1, count))
        losers = .allocate(capacity: max(1, count))
        losers.initialize(to: 0)
        for i in 0..<count {
            (current + i).initialize(to: UnsafePointer(exhausted))
            (end + i).initialize(to: UnsafePointer(exhausted))
            current[i] = refill(i)
        }
        guard count > 1 else { return }
        var winners = [Int](repeating: 0, count: 2 * count)
        for i in 0..<count { winners[count + i] = i }
        for node in stride(from: count - 1, through: 1, by: -1) {
            let a = winners[2 * node], b = winners[2 * node + 1]
            let bFirst = Participation.precedes(current[b].pointee, current[a].pointee)
            winners[node] = bFirst ? b : a
            (losers + node).initialize(to: bFirst ? a : b)
        }
        losers[0] = winners[1]
    }

    deinit {
        exhausted.deinitialize(count: 1)
        exhausted.deallocate()
        current.deallocate()
        end.deallocate()
        losers.deallocate()
    }

    /// Reader `i`'s next block: its first line (`exhausted` when it has none left).
    private func refill(_ i: Int) -> UnsafePointer<Participation> {
        let lines = unretained[i]._withUnsafeGuaranteedRef { $0.nextBlock() }
        guard let first = lines.baseAddress, !lines.isEmpty else {
            end[i] = UnsafePointer(exhausted)
            return UnsafePointer(exhausted)
        }
        end[i] = first + lines.count
        return first
    }

    /// The next line in order, nil at the end.
    func next() throws -> Participation? {
        guard count > 0 else { return nil }
        let top = losers[0]
        let at = current[top]
        if at == UnsafePointer(exhausted) {
            if let failed = readers.first(where: \.failed) { throw SpillError(path: failed.path, operation: "read", reason: failed.failure ?? "") }
            return nil
        }
        let line = at.pointee
        current[top] = at + 1 == end[top] ? refill(top) : at + 1
        // The new line plays the matches on its way up: the loser stays at each node, the winner goes on.
        var winner = top
        var node = (top + count) >> 1
        while node > 0 {
            // A mask, not a branch: which line wins is a coin toss the branch predictor loses half the time.
            let other = losers[node]
            let mask = 0 &- Int(Participation.precedes(current[other].pointee, current[winner].pointee) ? 1 : 0)  // all ones: other wins
            losers[node] = (winner & mask) | (other & ~mask)
            winner = (other & mask) | (winner & ~mask)
            node >>= 1
        }
        losers[0] = winner
        return line
    }
}

/// Reads one sorted run back in blocks of 64 KB: all of it, or a range of its lines.
final class RunReader {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?
    /// The last run, still in memory: its lines `memoryLines` are handed out as one block.
    private var memory: LineBuffer?
    private var memoryLines: Range<Int> = 0..<0
    private let block: UnsafeMutableBufferPointer<Participation>
    /// Lines still to read from the file.
    private var remaining: Int
    /// Why the file gave fewer lines than it had when cut, if it did.
    private(set) var failure: String?
    var failed: Bool { failure != nil }

    private static let stride = MemoryLayout<Participation>.stride

    /// Lines `lines` of the run at `path`, read `blockBytes` at a time.
    init(path: String, lines: Range<Int>, blockBytes: Int = 1 << 16) throws {
        self.path = path
        remaining = lines.count
        block = .allocate(capacity: lines.isEmpty ? 0 : min(lines.count, max(1, blockBytes / Self.stride)))
        guard let file = fopen(path, "rb") else { throw SpillError(path: path, operation: "open") }
        self.file = file
        if lines.lowerBound > 0, fseeko(file, off_t(lines.lowerBound * Self.stride), SEEK_SET) != 0 {
            throw SpillError(path: path, operation: "read")
        }
    }

    /// Lines `lines` of those still in memory (the last, partial run), read in place.
    init(memory: LineBuffer, lines: Range<Int>) {
        path = "memory"
        self.memory = memory
        memoryLines = lines
        block = .allocate(capacity: 0)
        remaining = 0
    }

    deinit {
        if let file { fclose(file) }
        block.deallocate()
    }

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

    /// The next lines in order, read in place until the next call: empty at the end (or, `failed`,
    /// when the file ends before the lines it had when cut).
    func nextBlock() -> UnsafeBufferPointer<Participation> {
        if let memory {
            defer { memoryLines = memoryLines.upperBound..<memoryLines.upperBound }
            return UnsafeBufferPointer(rebasing: memory.lines[memoryLines])
        }
        guard let file, remaining > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        let read = fread(block.baseAddress, Self.stride, min(remaining, block.count), file)
        if read == 0 {
            // The reason is taken here: errno means nothing by the time the merge reports it.
            failure = ferror(file) != 0 ? String(cString: strerror(errno)) : "it ends before the lines written to it (was it truncated?)"
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        remaining -= read
        return UnsafeBufferPointer(rebasing: block[..<read])
    }
}
