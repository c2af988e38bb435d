import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Records

/// Rejects as they happen: streamed to a temporary file (a broken export may reject millions of rows;
/// none is held in memory), counted by reason, the first few kept for the report. rejects.csv is
/// written from it at `commit`, once every name of the inputs is known: values and messages are
/// rendered then (`PersonalData.render`: masks in the report's language, names masked). Written
/// with POSIX calls, so that a full disk is reported as such (`OutputError`).
public final class RejectLog {
    /// Rejects kept in memory, in reading order (the first `sampleLimit`).
    public private(set) var sample: [Reject] = []
    public private(set) var countsByReason: [RejectReason: Int] = [:]
    /// The same, per source.
    public private(set) var countsBySource: [String: [RejectReason: Int]] = [:]
    public private(set) var total = 0
    let sampleLimit: Int
    private let finalPath: String?
    private let temporaryPath: String?
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    /// Bytes of the temporary file written so far (`buffer` not included).
    private var flushed = 0
    /// Another log's bytes to put in at a byte offset of this one (`merge`), in order.
    private var insertions: [(at: Int, from: RejectLog, bytes: Range<Int>)] = []
    /// Rejects put in by `merge`.
    private var inserted = 0
    /// The logs merged, their temporary files removed with this one's.
    private var merged: [RejectLog] = []
    /// The first write that failed (a full disk): reported by `commit`, nothing more is written.
    private var failure: OutputError?

    /// A point in the log: what was appended before it.
    public struct Mark: Sendable {
        let bytes: Int
        let count: Int
    }

    /// Where the log stands now.
    public var mark: Mark { Mark(bytes: flushed + buffer.count, count: total) }

    /// Writes to `path` (renamed into place by `commit`); nil only counts (for `validate`).
    public init(path: String?, sampleLimit: Int = 1_000) throws {
        self.sampleLimit = sampleLimit
        finalPath = path
        guard let path else {
            temporaryPath = nil
            return
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileWriting.makeFolder(folder) }
        let temporary = "\(path).\(getpid()).tmp"
        fd = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError(path: temporary, errno: errno) }
        temporaryPath = temporary
    }

    deinit { discard() }

    /// Closes and removes the temporary file (once written out, or never to be).
    private func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        if let temporaryPath { unlink(temporaryPath) }
    }

    public func append(_ reject: Reject) {
        total += 1
        countsByReason[reject.reason, default: 0] += 1
        countsBySource[reject.location.source, default: [:]][reject.reason, default: 0] += 1
        if sample.count < sampleLimit { sample.append(reject) }
        guard fd >= 0, failure == nil else { return }
        for text in [reject.location.source, reject.location.recordLabel, reject.field, reject.value, reject.reason.rawValue, reject.message] {
            let bytes = Array(text.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: bytes)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        guard fd >= 0, failure == nil, !buffer.isEmpty, let temporaryPath else { return }
        failure = Self.write(buffer, to: fd, path: temporaryPath)
        flushed += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// A log of its own for rejects found on another thread, its temporary file beside this one's
    /// (none when this one only counts), to be put in this one with `merge`.
    public func companion(_ suffix: String) throws -> RejectLog {
        try RejectLog(path: finalPath.map { "\($0).\(suffix)" }, sampleLimit: sampleLimit)
    }

    /// Puts every reject of `other` (a `companion` that logs nothing more) into this log, as if
    /// appended when this log stood at given marks: `cuts[i].here` receives `other`'s rejects from
    /// the previous cut's `there` (the start) to `cuts[i].there`; the last `there` is `other`'s end.
    /// Counts, the sample and rejects.csv's lines all follow that order. `here` marks never decrease.
    public func merge(_ other: RejectLog, cuts: [(there: Mark, here: Mark)]) {
        precondition(cuts.last.map { $0.there.count == other.total } ?? (other.total == 0), "a merge must take the whole log")
        other.flush()
        merged.append(other)
        total += other.total
        for (reason, n) in other.countsByReason { countsByReason[reason, default: 0] += n }
        for (source, counts) in other.countsBySource {
            for (reason, n) in counts { countsBySource[source, default: [:]][reason, default: 0] += n }
        }
        if failure == nil { failure = other.failure }
        var from = Mark(bytes: 0, count: 0)
        for (there, here) in cuts {
            precondition(insertions.last.map { $0.at <= here.bytes } ?? true, "merge marks must not decrease")
            // A reject of `other` sits `here.count + inserted` rejects in: the sample is the first `sampleLimit`.
            let at = here.count + inserted, count = there.count - from.count
            if at < sampleLimit, from.count < other.sample.count {
                sample.insert(contentsOf: other.sample[from.count..<min(there.count, other.sample.count)], at: min(at, sample.count))
                if sample.count > sampleLimit { sample.removeLast(sample.count - sampleLimit) }
            }
            if count > 0 { insertions.append((here.bytes, other, from.bytes..<there.bytes)) }
            inserted += count
            from = there
        }
    }

    /// Writes all of `bytes`; the failure, if any.
    private static func write(_ bytes: [UInt8], to fd: Int32, path: String) -> OutputError? {
        bytes.withUnsafeBytes { raw in
            do throws(OutputError) { try FileWriting.writeAll(fd, raw, path: path) } catch { return error }
            return nil
        }
    }

    /// Writes rejects.csv from what was logged, `render` applied to each value and message; throws
    /// the first write failure.
    public func commit(render: (String) -> String) throws {
        flush()
        if let failure { throw failure }
        guard fd >= 0, let temporaryPath, let finalPath else { return }
        defer {
            discard()
            for log in merged { log.discard() }
            (insertions, merged) = ([], [])
        }
        // The temporary file, with the merged logs' parts put in where they belong.
        var parts: [(fd: Int32, path: String, bytes: Range<Int>)] = []
        var position = 0
        for (at, other, bytes) in insertions {
            parts.append((fd, temporaryPath, position..<at))
            if other.fd >= 0, let path = other.temporaryPath { parts.append((other.fd, path, bytes)) }
            position = at
        }
        parts.append((fd, temporaryPath, position..<flushed))
        var part = 0, partOffset = parts[0].bytes.lowerBound
        let output = open(finalPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw OutputError(path: finalPath, errno: errno) }
        var outputOpen = true
        defer { if outputOpen { close(output) } }
        var out = Array((RejectsCSV.header + "\n").utf8)
        var pending: [UInt8] = []
        var fields: [String] = []
        // A broken export repeats its bad values: each distinct text is rendered once.
        var rendered: [String: String] = [:]
        func shown(_ text: String) -> String {
            if let hit = rendered[text] { return hit }
            let result = render(text)
            if rendered.count < 100_000 { rendered[text] = result }
            return result
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            while part < parts.count, partOffset >= parts[part].bytes.upperBound {
                part += 1
                if part < parts.count { partOffset = parts[part].bytes.lowerBound }
            }
            let n = part == parts.count ? 0 : chunk.withUnsafeMutableBytes {
                pread(parts[part].fd, $0.baseAddress, min($0.count, parts[part].bytes.upperBound - partOffset), off_t(partOffset))
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw OutputError(path: parts[part].path, errno: errno) }
            // A file shorter than what was written to it: the reading stops, as at its end.
            guard n > 0 || part == parts.count else { throw OutputError(path: parts[part].path, errno: EIO) }
            partOffset += n
            pending += chunk[0..<n]
            var offset = 0
            while pending.count - offset >= 4 {
                let length = (0..<4).reduce(0) { $0 | Int(pending[offset + $1]) << (8 * $1) }
                guard pending.count - offset - 4 >= length else { break }
                fields.append(String(decoding: pending[(offset + 4)..<(offset + 4 + length)], as: UTF8.self))
                offset += 4 + length
                if fields.count == 6 {
                    out.append(contentsOf: RejectsCSV.line(fields[0], fields[1], fields[2], shown(fields[3]), fields[4], shown(fields[5])).utf8)
                    fields.removeAll(keepingCapacity: true)
                }
            }
            pending.removeFirst(offset)
            if out.count >= 1 << 16 || n == 0 {
                if let failure = Self.write(out, to: output, path: finalPath) { throw failure }
                out.removeAll(keepingCapacity: true)
            }
            if n == 0 { break }
        }
        outputOpen = false
        guard close(output) == 0 else { throw OutputError(path: finalPath, errno: errno) }
    }
}
