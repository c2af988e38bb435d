import Foundation
import Indicators
import Ingest
import PipelineFile
import Records
import Report
import Store

/// Options of `impact refresh`.
public struct RefreshOptions: Sendable {
    public var outputFolder: String?
    public var language: String?
    /// Forget the records of files that disappeared from the inputs.
    public var prune: Bool
    public var waitForLock: Bool

    public init(outputFolder: String? = nil, language: String? = nil, prune: Bool = false, waitForLock: Bool = false) {
        self.outputFolder = outputFolder
        self.language = language
        self.prune = prune
        self.waitForLock = waitForLock
    }
}

/// What a refresh found for one input file.
public struct FileChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case new, changed, unchanged, reread, vanished, pruned }
    public let source: String
    public let path: String
    public let kind: Kind
    /// For files read: physical records, and how many were new, already known, corrections, rejected.
    public let counts: FileCounts?
}

/// What `impact refresh` did.
public struct RefreshResult: Sendable {
    /// False when nothing changed: nothing was read or written.
    public let changed: Bool
    public let files: [FileChange]
    public let storePath: String
    /// The run that wrote the outputs, when something changed.
    public let run: RunResult?
    public let snapshotID: Int64?
    public var exitCode: Int32 { run?.exitCode ?? 0 }
    /// Records added and replaced (corrections) by this refresh.
    public let added: Int
    public let replaced: Int
}

/// `impact refresh`: reads only new or changed inputs into the store, then recomputes everything from it.
public enum PipelineRefresh {
    /// The store path: `outputs.store`, else `<output folder>.sqlite` beside the outputs.
    public static func storePath(config: PipelineConfig, outputFolder: String?) -> String {
        if let path = config.storePath { return path }
        let folder = (outputFolder ?? config.outputFolder)
        return (folder.hasSuffix("/") ? String(folder.dropLast()) : folder) + ".sqlite"
    }

    public static func execute(pipelinePath path: String, options: RefreshOptions = RefreshOptions(),
                               progress: (String) -> Void = { _ in }) throws -> RefreshResult {
        let started = Date()
        let pipeline = try LoadedPipeline(path: path)
        let config = pipeline.config
        let folder = options.outputFolder ?? config.outputFolder
        let lock = try RunLock.acquire(folder: folder, wait: options.waitForLock)
        defer { lock.release() }
        try OutputStage.recover(folder: folder)
        let store = try ImpactStore(path: storePath(config: config, outputFolder: options.outputFolder))
        let now = ISO8601DateFormatter().string(from: started)

        // Hash every input (the only full read of unchanged files).
        var current: [(source: SourceConfig, index: Int, file: String, display: String, sha: String, size: Int)] = []
        for (i, source) in config.sources.enumerated() {
            for file in source.files {
                progress("hashing \(PipelineLoader.relative(file, from: config.baseDirectory))")
                let digest = try FileDigest.sha256(path: file)
                current.append((source, i, file, PipelineLoader.relative(file, from: config.baseDirectory), digest.hex, digest.size))
            }
        }

        // Ingest what changed, in one transaction: a kill leaves the store as it was.
        let ingest = try store.transaction { tx -> (changes: [FileChange], generation: Int, added: Int, replaced: Int) in
            let known = try tx.files()
            let pipelineChanged = try tx.meta("pipeline_sha256") != pipeline.sha256
            var generation = Int(try tx.meta("generation") ?? "0") ?? 0
            var changes: [FileChange] = []
            var touched = false
            var added = 0, replaced = 0
            let period = { (d: CalendarDate) in config.periods.label(for: d) }
            // Sources processed in the pipeline file's order; a source's files in order of arrival.
            for (i, source) in config.sources.enumerated() {
                let stored = known.filter { $0.source == source.name }
                let here = current.filter { $0.index == i }
                let storedByPath = Dictionary(stored.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
                let hereByPath = Set(here.map(\.display))
                let fresh = here.filter { storedByPath[$0.display] == nil }
                let changed = here.filter { h in
                    guard let s = storedByPath[h.display] else { return false }
                    return s.sha256 != h.sha || !s.present
                }
                let gone = stored.filter { !hereByPath.contains($0.path) }
                // Anything but new files (or an ODK folder, read whole) makes the source read again from its files.
                let rebuild = pipelineChanged || !changed.isEmpty || (options.prune && !gone.isEmpty)
                    || (source.format == .odk && !fresh.isEmpty)
                for g in gone {
                    if options.prune {
                        try tx.deleteFile(g.id)
                        changes.append(FileChange(source: source.name, path: g.path, kind: .pruned, counts: nil))
                        touched = true
                    } else {
                        if g.present { try tx.markAbsent(g.id); touched = true }
                        changes.append(FileChange(source: source.name, path: g.path, kind: .vanished, counts: nil))
                    }
                }
                let mapper = SourceMapper(source: source, config: config)
                let changedPaths = Set(changed.map(\.display))
                let freshPaths = Set(fresh.map(\.display))
                var toRead: [(file: String, display: String, sha: String, size: Int, keepArrival: Bool)]
                var before: [[UInt8]: [UInt8]] = [:]
                if rebuild {
                    if !pipelineChanged { before = try tx.contents(source: source.name) }
                    // Unchanged files first in their order of arrival, then changed and new ones as they arrive now.
                    let arrival = Dictionary(stored.map { ($0.path, $0.arrival) }, uniquingKeysWith: { a, _ in a })
                    let unchanged = here.filter { !changedPaths.contains($0.display) && !freshPaths.contains($0.display) }
                        .sorted { (arrival[$0.display] ?? 0) < (arrival[$1.display] ?? 0) }
                    for f in here { if let s = storedByPath[f.display] { try tx.clearFile(s.id) } }
                    toRead = unchanged.map { ($0.file, $0.display, $0.sha, $0.size, true) }
                        + here.filter { changedPaths.contains($0.display) || freshPaths.contains($0.display) }.map { ($0.file, $0.display, $0.sha, $0.size, false) }
                } else {
                    toRead = fresh.map { ($0.file, $0.display, $0.sha, $0.size, false) }
                }
                guard !toRead.isEmpty else { continue }
                touched = true
                // ODK: one pass over every file, so resubmissions across files are recognised; records belong to the first.
                let batches: [[(file: String, display: String, sha: String, size: Int, keepArrival: Bool)]] =
                    source.format == .odk ? [toRead] : toRead.map { [$0] }
                var sourceReplaced = 0
                var lastChanged: Int64?
                for batch in batches {
                    guard let first = batch.first else { continue }
                    var ids: [Int64] = []
                    for f in batch {
                        ids.append(try tx.beginFile(source: source.name, path: f.display, size: f.size, sha256: f.sha, at: now,
                                                    keepArrival: f.keepArrival))
                    }
                    progress("reading \(first.display)\(batch.count > 1 ? " and \(batch.count - 1) more" : "") (\(source.name))")
                    var counts = FileCounts()
                    var seq = 0
                    var unreadable: String?
                    var encoding = "xml", delimiter = "", fallbacks = 0
                    let fileID = ids[0]
                    func offer(_ record: MappedRecord) throws {
                        seq += 1
                        let outcome = try tx.upsert(record, source: source.name, fileID: fileID, seq: seq, period: period)
                        if case .conflict(let reject) = outcome { try tx.storeReject(reject, source: source.name, fileID: fileID, seq: seq) }
                        counts.count(outcome)
                    }
                    do {
                        if source.format == .odk {
                            try mapper.mapInstances(files: batch.map(\.file), emit: offer)
                        } else {
                            let reading = try mapper.map(file: first.file, emit: offer)
                            encoding = reading.encoding
                            delimiter = reading.delimiter
                            fallbacks = reading.encodingFallbacks
                        }
                    } catch let error as SourceUnreadable {
                        unreadable = error.message
                        encoding = ""
                    }
                    let isChange = !first.keepArrival && changedPaths.contains(first.display)
                    if isChange { lastChanged = fileID }
                    if !rebuild || !first.keepArrival { sourceReplaced += counts.replaced }
                    try tx.finishFile(fileID, unreadable: unreadable, encoding: encoding, delimiter: delimiter, fallbacks: fallbacks,
                                      counts: counts, names: mapper.names.words, keepReplaced: first.keepArrival)
                    for extra in ids.dropFirst() {
                        try tx.finishFile(extra, unreadable: nil, encoding: "xml", delimiter: "", fallbacks: 0, counts: FileCounts(), names: [],
                                          keepReplaced: false)
                    }
                    added += counts.added
                    let kind: FileChange.Kind = freshPaths.contains(first.display) ? .new : changedPaths.contains(first.display) ? .changed : .reread
                    changes.append(FileChange(source: source.name, path: first.display, kind: kind, counts: counts))
                }
                // A re-sent file: count the records whose content it corrected.
                if rebuild, !before.isEmpty, let lastChanged {
                    let after = try tx.contents(source: source.name)
                    let corrected = after.reduce(0) { n, entry in n + ((before[entry.key].map { $0 != entry.value }) == true ? 1 : 0) }
                    try tx.addReplaced(fileID: lastChanged, corrected)
                    sourceReplaced += corrected
                    added -= after.keys.filter { before[$0] != nil }.count  // re-read records are not new
                    added = max(0, added)
                }
                replaced += sourceReplaced
            }
            for f in current where !changes.contains(where: { $0.path == f.display && $0.source == f.source.name }) {
                changes.append(FileChange(source: f.source.name, path: f.display, kind: .unchanged, counts: nil))
            }
            if touched || pipelineChanged {
                generation += 1
                try tx.setMeta("generation", String(generation))
                try tx.setMeta("pipeline_sha256", pipeline.sha256)
            }
            return (changes, generation, added, replaced)
        }

        // Nothing new, and the outputs are those of the last snapshot: stay silent.
        let snapshots = try store.read { try $0.snapshots() }
        if let last = snapshots.last, last.generation == ingest.generation, outputsIntact(folder: folder, hashes: last.outputs) {
            return RefreshResult(changed: false, files: ingest.changes, storePath: store.path, run: nil, snapshotID: nil,
                                 added: 0, replaced: 0)
        }

        // Recompute everything from the store, exactly as `impact run` would from the files.
        let stage = try OutputStage(folder: folder)
        let rejects = try RejectLog(path: stage.path("rejects.csv"))
        var ingestion = Ingestion(config: config, rejects: rejects)
        let history = try store.read { tx -> ReportHistory in
            let files = try tx.files()
            // Files gone from the inputs but kept first (they are older), then the inputs in the pipeline file's order.
            let order = Dictionary(current.enumerated().map { ($1.display + "\u{0}" + $1.source.name, $0) }, uniquingKeysWith: { a, _ in a })
            let ordered = files.sorted { a, b in
                let ia = order[a.path + "\u{0}" + a.source] ?? -1, ib = order[b.path + "\u{0}" + b.source] ?? -1
                return ia != ib ? ia < ib : a.arrival < b.arrival
            }
            try ingestion.replay(tx, files: ordered, progress: progress)
            guard let last = snapshots.last else { return ReportHistory(previousTakenAt: nil, previousRows: [], archivedRows: []) }
            var archived: [IndicatorRow] = []
            var seen = Set<String>()
            for snapshot in snapshots.reversed() {
                let rows = try tx.rows(snapshot: snapshot.id)
                let periods = Set(rows.map(\.period)).subtracting(seen)
                archived += rows.filter { periods.contains($0.period) }
                seen.formUnion(periods)
            }
            return ReportHistory(previousTakenAt: last.takenAt, previousRows: try tx.rows(snapshot: last.id), archivedRows: archived)
        }
        let runOptions = RunOptions(outputFolder: options.outputFolder, language: options.language)
        let run = try RunOutputs.produce(ingestion, pipeline: pipeline, options: runOptions, stage: stage, started: started,
                                         history: history, progress: progress)
        let snapshotID = try store.transaction { tx in
            try tx.addSnapshot(takenAt: now, generation: ingest.generation, toolVersion: ImpactVersion.current, pipelineSHA256: pipeline.sha256,
                               exitCode: Int(run.exitCode), filesRead: ingest.changes.filter { $0.counts != nil }.count,
                               recordsAdded: ingest.added, recordsReplaced: ingest.replaced, outputs: run.outputHashes,
                               rows: run.summary.rows)
        }
        return RefreshResult(changed: true, files: ingest.changes, storePath: store.path, run: run, snapshotID: snapshotID,
                             added: ingest.added, replaced: ingest.replaced)
    }

    /// Whether every output the snapshot wrote is on disk with the same bytes (except the manifest's times).
    static func outputsIntact(folder: String, hashes: [String: String]) -> Bool {
        guard !hashes.isEmpty else { return false }
        for (name, hash) in hashes {
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)"), FileDigest.sha256(data: data) == hash else { return false }
        }
        return true
    }
}
