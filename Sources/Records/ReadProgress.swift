import Synchronization

/// How far the sources being read have gone: bytes of their files read, records read. The readers
/// add to it as they go (files through their hashing, workbooks through their package reads); a
/// terminal's progress line polls it from another thread. Sources read at the same time (surveys
/// beside the attendance) count together, from the first's start until none is read.
public final class ReadProgress: Sendable {
    /// The one the pipeline reports to.
    public static let shared = ReadProgress()

    /// What a poll sees.
    public struct Snapshot: Sendable {
        public let source: String
        public let totalBytes: Int
        public let bytes: Int
        public let records: Int
        public let seconds: Double
    }

    private let bytes = Atomic<Int>(0)
    private let records = Atomic<Int>(0)
    private let current = Mutex<(sources: [String], total: Int, started: ContinuousClock.Instant)?>(nil)

    public init() {}

    /// A source starts: its files weigh `totalBytes`.
    public func begin(source: String, totalBytes: Int) {
        current.withLock { now in
            if var reading = now {
                reading.sources.append(source)
                reading.total += totalBytes
                now = reading
            } else {
                bytes.store(0, ordering: .relaxed)
                records.store(0, ordering: .relaxed)
                now = ([source], totalBytes, ContinuousClock.now)
            }
        }
    }

    /// The source is read.
    public func end(source: String) {
        current.withLock { now in
            guard var reading = now, let i = reading.sources.firstIndex(of: source) else { return }
            reading.sources.remove(at: i)
            now = reading.sources.isEmpty ? nil : reading
        }
    }

    public func add(bytes n: Int) { bytes.add(n, ordering: .relaxed) }

    public func add(records n: Int) { records.add(n, ordering: .relaxed) }

    /// The sources being read (their names joined) and how far they went; nil between sources.
    public func snapshot() -> Snapshot? {
        guard let now = current.withLock({ $0 }) else { return nil }
        let elapsed = ContinuousClock.now - now.started
        return Snapshot(source: now.sources.joined(separator: ", "), totalBytes: now.total, bytes: bytes.load(ordering: .relaxed),
                        records: records.load(ordering: .relaxed),
                        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
