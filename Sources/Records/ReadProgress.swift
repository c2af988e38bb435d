import Synchronization

/// How far the source being read has gone: bytes of its files read, records read. The readers add
/// to it as they go (files through their hashing, workbooks through their package reads); a
/// terminal's progress line polls it from another thread.
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
    private let current = Mutex<(source: String, total: Int, started: ContinuousClock.Instant)?>(nil)

    public init() {}

    /// A source starts: its files weigh `totalBytes`.
    public func begin(source: String, totalBytes: Int) {
        bytes.store(0, ordering: .relaxed)
        records.store(0, ordering: .relaxed)
        current.withLock { $0 = (source, totalBytes, ContinuousClock.now) }
    }

    /// The source is read.
    public func end() { current.withLock { $0 = nil } }

    public func add(bytes n: Int) { bytes.add(n, ordering: .relaxed) }

    public func add(records n: Int) { records.add(n, ordering: .relaxed) }

    /// The source being read and how far it went; nil between sources.
    public func snapshot() -> Snapshot? {
        guard let now = current.withLock({ $0 }) else { return nil }
        let elapsed = ContinuousClock.now - now.started
        return Snapshot(source: now.source, totalBytes: now.total, bytes: bytes.load(ordering: .relaxed),
                        records: records.load(ordering: .relaxed),
                        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
