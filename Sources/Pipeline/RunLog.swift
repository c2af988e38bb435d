import Foundation
import Logging

/// How the scheduled job's log lines look on stderr.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `event key=value …`, for people.
    case text
    /// One JSON object per line (`{"time":…,"level":…,"event":…,…}`), for schedulers and log collectors.
    case json
}

/// A swift-log handler writing one line per event to stderr, as text or JSON.
public struct RunLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let format: LogFormat

    public init(format: LogFormat, level: Logger.Level = .info) {
        self.format = format
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let line: String
        switch format {
        case .json:
            var object: [String: Any] = ["time": ISO8601DateFormatter().string(from: Date()), "level": event.level.rawValue,
                                         "event": "\(event.message)"]
            for (key, value) in fields { object[key] = RunLogHandler.json(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            line = String(decoding: data, as: UTF8.self)
        case .text:
            line = (["\(event.message)"] + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Numbers stay numbers in JSON (metadata carries them as strings).
    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): return Int(s) ?? Double(s).map { $0 as Any } ?? s
        case .stringConvertible(let c): return "\(c)"
        case .array(let a): return a.map(json)
        case .dictionary(let d): return d.mapValues(json)
        }
    }
}

/// The events a run or refresh reports to the log.
public enum RunEvents {
    /// One `source` line per source (read, accepted, rejected, duplicates, replaced).
    public static func sources(_ result: RunResult, to logger: Logger) {
        for s in result.summary.sources {
            let t = s.tally
            var metadata: Logger.Metadata = ["source": "\(s.name)", "read": "\(t.read)", "accepted": "\(t.accepted)",
                                             "rejected": "\(t.rejected)", "duplicates": "\(t.duplicates)", "replaced": "\(t.replaced)",
                                             "unreadable": "\(s.unreadable.count)"]
            if !s.notes.isEmpty { metadata["notes"] = .array(s.notes.map { .string($0) }) }  // folders a glob matched, skipped
            logger.info("source", metadata: metadata)
        }
    }

    /// One `stage` line per stage: each source's read, the attendance resolution, the indicators, the writing.
    public static func stages(_ result: RunResult, to logger: Logger) {
        for t in result.timings {
            var metadata: Logger.Metadata = ["stage": "\(t.stage)", "duration_s": "\(String(format: "%.4f", t.seconds))"]
            if let source = t.source { metadata["source"] = "\(source)" }
            if let format = t.format { metadata["format"] = "\(format)" }
            if t.bytes > 0 { metadata["bytes"] = "\(t.bytes)" }
            if t.records > 0 { metadata["records"] = "\(t.records)" }
            if t.spilledRuns > 0 { metadata["spilled_runs"] = "\(t.spilledRuns)" }
            if t.peakRSS > 0 { metadata["peak_rss_mb"] = "\(t.peakRSS / 1_048_576)" }
            if let note = t.note { metadata["readers"] = "\(note)" }
            logger.info("stage", metadata: metadata)
        }
    }

    /// One `file` line per input file a refresh read or found gone.
    public static func files(_ result: RefreshResult, to logger: Logger) {
        for f in result.files where f.kind != .unchanged {
            var metadata: Logger.Metadata = ["source": "\(f.source)", "path": "\(f.path)", "change": "\(f.kind.rawValue)"]
            if let c = f.counts {
                metadata["records"] = "\(c.physical)"; metadata["added"] = "\(c.added)"; metadata["known"] = "\(c.known)"
                metadata["replaced"] = "\(c.replaced)"; metadata["rejected"] = "\(c.rejected)"
            }
            logger.info("file", metadata: metadata)
        }
    }
}
