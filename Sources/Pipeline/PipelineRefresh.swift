import Foundation
import Indicators
import Ingest
import InputFiles
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
        try OutputFolderCheck.check(folder, pipeline: path, inputs: config.sources.flatMap(\.files))
        let lock = try RunLock.acquire(folder: folder, wait: options.waitForLock)
        defer { lock.release() }
        SpillFolders.removeStale()  // left by runs that died (kill -9, a crash)
        try OutputStage.recover(folder: folder)
        let key = try PseudonymKeys.persistent(config, outputFolder: options.outputFolder, create: true)
        let store = try ImpactStore(path: storePath(config: config, outputFolder: options.outputFolder), access: .keyed(fingerprint: key.fingerprint))
        let now = ISO8601DateFormatter().string(from: started)
        let current = hashInputs(config, progress: progress)
        let ingest = try ingestChanges(into: store, pipeline: pipeline, inputs: current, key: key, at: now, prune: options.prune,
                                       progress: progress)

        // Nothing new, and the outputs are those of the last snapshot: stay silent.
        let snapshots = try store.read { try $0.snapshots() }
        if let last = snapshots.last, last.generation == ingest.generation, outputsIntact(folder: folder, hashes: last.outputs) {
            return RefreshResult(changed: false, files: ingest.changes, storePath: store.path, run: nil, snapshotID: nil,
                                 added: 0, replaced: 0)
        }

        // Recompute everything from the store, exactly as `impact run` would from the files.
        let stage = try OutputStage(folder: folder)
        let rejects = try RejectLog(path: stage.path("rejects.csv"))
        var ingestion = Ingestion(config: config, rejects: rejects, key: key)
        let history = try store.read { tx -> ReportHistory in
            try ingestion.replay(tx, files: replayOrder(try tx.files(), inputs: current), progress: progress)
            guard let last = snapshots.last else { return ReportHistory(previousTakenAt: nil, previousRows: [], archivedRows: []) }
            // The report compares roll-up figures only: the store is asked for those, not for every snapshot's rows.
            return ReportHistory(previousTakenAt: last.takenAt, previousRows: try tx.rows(snapshot: last.id, territory: rollUp),
                                 archivedRows: try tx.latestRowsPerPeriod(territory: rollUp))
        }
        let runOptions = RunOptions(outputFolder: options.outputFolder, language: options.language)
        let run = try RunOutputs.produce(&ingestion, pipeline: pipeline, options: runOptions, stage: stage, started: started,
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

    /// Every input hashed (the only full read of unchanged files).
    static func hashInputs(_ config: PipelineConfig, progress: (String) -> Void) -> [Input] {
        var current: [Input] = []
        for (i, source) in config.sources.enumerated() {
            for file in source.files {
                let display = PipelineLoader.relative(file, from: config.baseDirectory)
                progress("hashing \(display)")
                // An input that cannot be read hashes as empty: reading it reports the source unreadable.
                let digest = FileDigest.sha256OrEmpty(path: file)
                current.append(Input(source: source, index: i, file: file, display: display, sha256: digest.hex, size: digest.size))
            }
        }
        return current
    }

    /// Reads what changed into the store, in one transaction: a kill leaves the store as it was. The files
    /// read now arrive in one round (their records are kept as read; see `StoreTransaction.upsert`).
    static func ingestChanges(into store: ImpactStore, pipeline: LoadedPipeline, inputs current: [Input], key: PseudonymKey, at now: String,
                              prune: Bool, progress: (String) -> Void) throws -> IngestOutcome {
        try store.transaction { tx -> IngestOutcome in
            let known = try tx.files()
            let pipelineChanged = try tx.meta("pipeline_sha256") != pipeline.sha256
            var outcome = IngestOutcome(generation: try tx.generation())
            let reader = SourceIngest(tx: tx, config: pipeline.config, key: key, at: now, round: try tx.nextRound(), prune: prune,
                                      rebuildAll: pipelineChanged)
            for (i, source) in pipeline.config.sources.enumerated() {
                try reader.ingest(source, inputs: current.filter { $0.index == i }, stored: known.filter { $0.source == source.name },
                                  into: &outcome, progress: progress)
            }
            for f in current where !outcome.changes.contains(where: { $0.path == f.display && $0.source == f.source.name }) {
                outcome.changes.append(FileChange(source: f.source.name, path: f.display, kind: .unchanged, counts: nil))
            }
            if outcome.touched || pipelineChanged {
                outcome.generation += 1
                try tx.setMeta("generation", String(outcome.generation))
                try tx.setMeta("pipeline_sha256", pipeline.sha256)
            }
            return outcome
        }
    }

    /// The order the stored files are replayed in: files gone from the inputs but kept first (they are
    /// older), then the inputs in the pipeline file's order — the order `impact run` reads them in.
    static func replayOrder(_ files: [StoredFile], inputs current: [Input]) -> [StoredFile] {
        let order = Dictionary(current.enumerated().map { ($1.display + "\u{0}" + $1.source.name, $0) }, uniquingKeysWith: { a, _ in a })
        return files.sorted { a, b in
            let ia = order[a.path + "\u{0}" + a.source] ?? -1, ib = order[b.path + "\u{0}" + b.source] ?? -1
            return ia != ib ? ia < ib : a.arrival < b.arrival
        }
    }

    /// Whether every output the snapshot wrote is on disk with the same bytes (except the manifest's times).
    static func outputsIntact(folder: String, hashes: [String: String]) -> Bool {
        guard !hashes.isEmpty else { return false }
        // An output that cannot be read is not intact: the refresh writes it again.
        return hashes.allSatisfy { name, hash in (try? FileDigest.sha256(path: "\(folder)/\(name)").hex) == hash }
    }
}

/// One input file of the pipeline file, hashed.
struct Input {
    let source: SourceConfig
    let index: Int
    let file: String
    let display: String
    let sha256: String
    let size: Int
}

/// What the ingest transaction of a refresh did.
struct IngestOutcome {
    var generation: Int
    var changes: [FileChange] = []
    var touched = false
    var added = 0
    var replaced = 0
}

/// Reads one source's new or changed files into the store (inside the refresh's transaction).
struct SourceIngest {
    let tx: StoreTransaction
    let config: PipelineConfig
    let key: PseudonymKey
    let at: String
    /// The round the files read now arrive in.
    let round: Int
    let prune: Bool
    /// The pipeline file changed: every source is read again.
    let rebuildAll: Bool

    func ingest(_ source: SourceConfig, inputs here: [Input], stored: [StoredFile], into outcome: inout IngestOutcome,
                progress: (String) -> Void) throws {
        let storedByPath = Dictionary(stored.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let herePaths = Set(here.map(\.display))
        let fresh = Set(here.filter { storedByPath[$0.display] == nil }.map(\.display))
        let changed = Set(here.filter { h in storedByPath[h.display].map { $0.sha256 != h.sha256 || !$0.present } ?? false }.map(\.display))
        let gone = stored.filter { !herePaths.contains($0.path) }
        for g in gone {
            if prune {
                try tx.deleteFile(g.id)
                outcome.touched = true
            } else if g.present {
                try tx.markAbsent(g.id)
                outcome.touched = true
            }
            outcome.changes.append(FileChange(source: source.name, path: g.path, kind: prune ? .pruned : .vanished, counts: nil))
        }
        // Anything but new files (or an ODK folder, read whole) makes the source read again from its files.
        let rebuild = rebuildAll || !changed.isEmpty || (prune && !gone.isEmpty) || (source.format == .odk && !fresh.isEmpty)
        let arriving = here.filter { fresh.contains($0.display) || changed.contains($0.display) }
        var toRead = arriving.map { ($0, false) }
        if rebuild {
            if !rebuildAll { try tx.rememberKeys(source: source.name) }
            for f in here { if let s = storedByPath[f.display] { try tx.clearFile(s.id) } }
            // Unchanged files first in their order of arrival, then changed and new ones as they arrive now.
            let unchanged = here.filter { !fresh.contains($0.display) && !changed.contains($0.display) }
                .sorted { (storedByPath[$0.display]?.arrival ?? 0) < (storedByPath[$1.display]?.arrival ?? 0) }
            toRead = unchanged.map { ($0, true) } + toRead
        }
        guard !toRead.isEmpty else { return }
        outcome.touched = true
        let batches = SourceBatches.of(toRead, format: source.format)
        var lastArrived: Int64?
        var added = 0, replaced = 0
        for batch in batches {
            guard let (first, reread) = batch.first else { continue }
            let (fileID, counts) = try read(batch.map(\.0), of: source, keepArrival: reread, progress: progress)
            if !reread { lastArrived = fileID }
            added += counts.added
            if !rebuild { replaced += counts.replaced }
            let kind: FileChange.Kind = fresh.contains(first.display) ? .new : changed.contains(first.display) ? .changed : .reread
            outcome.changes.append(FileChange(source: source.name, path: first.display, kind: kind, counts: counts))
        }
        // Read again: new means not held before, and a correction is a key whose content changed.
        if rebuild && !rebuildAll {
            let compared = try tx.compareWithRemembered(source: source.name)
            added = compared.new
            replaced = compared.corrected
            if let lastArrived { try tx.addReplaced(fileID: lastArrived, compared.corrected) }
        }
        outcome.added += added
        outcome.replaced += replaced
    }

    /// Maps one batch into the store (`StoreTransaction.upsert`); returns the file its records went under and what they became.
    func read(_ batch: [Input], of source: SourceConfig, keepArrival: Bool, progress: (String) -> Void) throws -> (Int64, FileCounts) {
        let stored = try tx.beginBatch(source: source.name, files: batch.map { ($0.display, $0.size, $0.sha256) }, at: at, round: round,
                                       keepArrival: keepArrival)
        progress(SourceBatches.reading(batch.map(\.display), source: source.name))
        let mapper = SourceMapper(source: source, config: config, key: key)
        var counts = FileCounts()
        var seq = 0
        let reading = try SourceBatches.read(batch.map(\.file), with: mapper) { record in
            seq += 1
            counts.count(try tx.upsert(record, source: source.name, batch: stored, seq: seq) { config.periods.label(for: $0) })
        }
        // A file read again keeps the corrections it brought when it arrived.
        try tx.finish(stored, reading: reading, counts: counts, names: mapper.names.words, organisations: mapper.organisationNames.byKey,
                      keepReplaced: keepArrival)
        if let error = reading.unreadable {
            try tx.setUnreadable(error.message, source: source.name, path: PipelineLoader.relative(error.file, from: config.baseDirectory))
        }
        return (stored.fileID, counts)
    }
}
