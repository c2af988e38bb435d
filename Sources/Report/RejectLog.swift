import Foundation
import Records

/// Rejects as they happen: streamed to a temporary file (a broken export may reject millions of rows;
/// none is held in memory), counted by reason, the first few kept for the report. rejects.csv is
/// written from it at `commit`, once every name of the inputs is known: values and messages are
/// rendered then (`PersonalData.render`: masks in the report's language, names masked).
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
        guard FileManager.default.createFile(atPath: temporary, contents: Data(), attributes: [.posixPermissions: 0o600]),
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
        countsBySource[reject.location.source, default: [:]][reject.reason, default: 0] += 1
        if sample.count < sampleLimit { sample.append(reject) }
        guard handle != nil else { return }
        for text in [reject.location.source, reject.location.recordLabel, reject.field, reject.value, reject.reason.rawValue, reject.message] {
            let bytes = Array(text.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: bytes)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        guard let handle, !buffer.isEmpty else { return }
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes rejects.csv from what was logged, `render` applied to each value and message.
    public func commit(render: (String) -> String) throws {
        flush()
        try handle?.close()
        handle = nil
        guard let temporaryPath, let finalPath else { return }
        defer { try? FileManager.default.removeItem(atPath: temporaryPath) }
        guard let input = FileHandle(forReadingAtPath: temporaryPath),
              FileManager.default.createFile(atPath: finalPath, contents: Data((RejectsCSV.header + "\n").utf8)),
              let output = FileHandle(forWritingAtPath: finalPath) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: finalPath])
        }
        defer { try? input.close(); try? output.close() }
        try output.seekToEnd()
        var pending = Data(), out = Data()
        var fields: [String] = []
        // A broken export repeats its bad values: each distinct text is rendered once.
        var rendered: [String: String] = [:]
        func shown(_ text: String) -> String {
            if let hit = rendered[text] { return hit }
            let result = render(text)
            if rendered.count < 100_000 { rendered[text] = result }
            return result
        }
        while true {
            let chunk = input.readData(ofLength: 1 << 20)
            pending.append(chunk)
            var offset = pending.startIndex
            while pending.endIndex - offset >= 4 {
                let length = pending[offset..<offset + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
                guard pending.endIndex - offset - 4 >= length else { break }
                fields.append(String(decoding: pending[(offset + 4)..<(offset + 4 + length)], as: UTF8.self))
                offset += 4 + length
                if fields.count == 6 {
                    out.append(contentsOf: RejectsCSV.line(fields[0], fields[1], fields[2], shown(fields[3]), fields[4], shown(fields[5])).utf8)
                    fields.removeAll(keepingCapacity: true)
                }
            }
            pending = Data(pending[offset...])
            if out.count >= 1 << 16 || chunk.isEmpty { output.write(out); out.removeAll(keepingCapacity: true) }
            if chunk.isEmpty { break }
        }
    }
}
