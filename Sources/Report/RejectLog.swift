import Foundation
import Records

/// Rejects as they happen: streamed to a temporary rejects.csv (a broken export may reject
/// millions of rows; none is held in memory), counted by reason, the first few kept for the report.
public final class RejectLog {
    /// Rejects kept in memory, in reading order (the first `sampleLimit`).
    public private(set) var sample: [Reject] = []
    public private(set) var countsByReason: [RejectReason: Int] = [:]
    public private(set) var total = 0
    let sampleLimit: Int
    private let finalPath: String?
    private let temporaryPath: String?
    private var handle: FileHandle?
    private var buffer = Data()

    /// Writes to `path` (renamed into place by `commit`); nil only counts (for `validate`).
    public init(path: String?, sampleLimit: Int = 1_000) throws {
        self.sampleLimit = sampleLimit
        finalPath = path
        guard let path else {
            temporaryPath = nil
            return
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let temporary = "\(path).\(ProcessInfo.processInfo.processIdentifier).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((RejectsCSV.header + "\n").utf8)),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        try handle.seekToEnd()
        self.handle = handle
        temporaryPath = temporary
    }

    deinit {
        try? handle?.close()
        if let temporaryPath, handle != nil { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }

    public func append(_ reject: Reject) {
        total += 1
        countsByReason[reject.reason, default: 0] += 1
        if sample.count < sampleLimit { sample.append(reject) }
        guard handle != nil else { return }
        buffer.append(contentsOf: RejectsCSV.line(reject).utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        guard let handle, !buffer.isEmpty else { return }
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and renames the file into place.
    public func commit() throws {
        flush()
        try handle?.close()
        handle = nil
        if let temporaryPath, let finalPath, rename(temporaryPath, finalPath) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: finalPath])
        }
    }
}
