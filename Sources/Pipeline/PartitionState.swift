import Foundation
import Indicators
import Ingest
import PipelineFile
import Records
import Report
import Store

/// Receives a partition's files and records as they are read (`impact run --emit-state`): the records
/// are kept as read, unmatched, so that `impact merge` replays them exactly as one whole run would.
final class StateSink {
    let tx: StoreTransaction
    private var counts: [Int64: FileCounts] = [:]
    private let at = ISO8601DateFormatter().string(from: Date())

    init(_ tx: StoreTransaction) { self.tx = tx }

    /// Registers a batch of files (one, or an ODK folder) and returns the id its records go under.
    func begin(source: String, files: [String], digests: [(hex: String, size: Int)]) throws -> StoreBatch {
        // Records are appended as read, never matched: the round plays no part in a state.
        try tx.beginBatch(source: source, files: zip(files, digests).map { ($0, $1.size, $1.hex) }, at: at, round: 0)
    }

    func add(_ record: MappedRecord, source: String, file: Int64, seq: Int) throws {
        counts[file, default: FileCounts()].count(try tx.append(record, source: source, fileID: file, seq: seq))
    }

    /// Records what reading the batch gave.
    func finish(_ batch: StoreBatch?, reading: SourceBatches.Reading, names: Set<UInt64>, organisations: [UInt64: String]) throws {
        guard let batch else { return }
        try tx.finish(batch, reading: reading, counts: counts[batch.fileID] ?? FileCounts(), names: names, organisations: organisations,
                      keepReplaced: false)
    }

    /// A file of the batch that could not be read (after `finish`).
    func unreadable(source: String, path: String, message: String) throws {
        try tx.setUnreadable(message, source: source, path: path)
    }
}

/// `impact merge`: the outputs of one whole run, from the states partitions emitted.
public enum PipelineMerge {
    /// Replays `states` (in the order given) under the settings of the pipeline file at `path`.
    public static func execute(pipelinePath path: String, states: [String], options: RunOptions = RunOptions(),
                               progress: (String) -> Void = { _ in }) throws -> RunResult {
        let started = Date()
        let pipeline = try LoadedPipeline(path: path)
        for state in states where !FileManager.default.fileExists(atPath: state) {
            throw PipelineFileError(file: state, line: 0, key: "", message: "no such state file; write it with `impact run --emit-state \(state)`")
        }
        // Every state must have been made under the merge's key (pairing and de-duplication compare pseudonyms).
        let key = try PseudonymKeys.persistent(pipeline.config, outputFolder: options.outputFolder, create: false)
        let stores = try states.map { try ImpactStore(path: $0, access: .keyed(fingerprint: key.fingerprint)) }
        let folder = options.outputFolder ?? pipeline.config.outputFolder
        try OutputFolderCheck.check(folder, pipeline: path, inputs: pipeline.config.sources.flatMap(\.files) + states)
        let lock = try RunLock.acquire(folder: folder, wait: options.waitForLock)
        defer { lock.release() }
        SpillFolders.removeStale()  // left by runs that died (kill -9, a crash)
        let stage = try OutputStage(folder: folder)
        var ingestion = Ingestion(config: pipeline.config, rejects: try RejectLog(path: stage.path("rejects.csv")), key: key)
        // Each state read in one consistent view; the reads nest, one per state.
        func replay(_ rest: ArraySlice<ImpactStore>, _ open: [(StoreTransaction, [StoredFile])]) throws {
            guard let next = rest.first else {
                try ingestion.replay(open, progress: progress)
                return
            }
            try next.read { tx in try replay(rest.dropFirst(), open + [(tx, try tx.files())]) }
        }
        try replay(stores[...], [])
        return try RunOutputs.produce(&ingestion, pipeline: pipeline, options: options, stage: stage, started: started, progress: progress)
    }
}
