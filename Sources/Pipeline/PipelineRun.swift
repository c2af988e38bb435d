import Foundation
import Indicators
import Ingest
import IngestXML
import InputFiles
import PipelineFile
import Records
import Report
import Store

/// The tool's version, written into the manifest and the report.
public enum ImpactVersion {
    public static let current = "0.1.0"
}

/// Options of `impact run` / `impact validate`.
public struct RunOptions: Sendable {
    /// Overrides the pipeline file's output folder.
    public var outputFolder: String?
    /// Overrides the pipeline file's report language (`fr`, `en`).
    public var language: String?
    /// False for `validate`: everything is read and checked, nothing is written.
    public var write: Bool
    /// Wait for another run or refresh of the same output folder instead of exiting 75.
    public var waitForLock: Bool
    /// Also write the records as read to this state file, for `impact merge` (partitioned runs).
    public var emitState: String?
    /// The pseudonym key, instead of the one the pipeline file or the store gives (tests).
    var pseudonymKey: PseudonymKey?
    /// The most bytes of surveys and hiring logs read on another core (tests: 0 reads every source in turn).
    var besideLimit = Ingestion.besideByteLimit

    public init(outputFolder: String? = nil, language: String? = nil, write: Bool = true, waitForLock: Bool = false) {
        self.outputFolder = outputFolder
        self.language = language
        self.write = write
        self.waitForLock = waitForLock
    }
}

/// What a run did.
public struct RunResult: Sendable {
    public let summary: RunSummary
    public let outputFolder: String
    /// Files written, relative to the output folder (empty for validate).
    public let written: [String]
    /// 0 success, 1 data problems (docs/design.md §9).
    public let exitCode: Int32
    /// Every figure before small-cell protection (never written; for tests against hand-computed values).
    var unprotectedRows: [IndicatorRow] = []
    /// Output file name → SHA-256 of the bytes written.
    public var outputHashes: [String: String] = [:]
    /// Wall time of each stage: one `read` per source, then `indicators` and `write`.
    public var timings: [StageTiming] = []
}

extension LoadedPipeline {
    /// Reads and checks the pipeline file, its partner-XML columns compiled by libxml2.
    init(path: String) throws { try self.init(path: path, isValidXPath: PartnerXMLTable.isValid) }
}

/// `impact run`: sources → records → aggregates → indicators → report.
public enum PipelineRun {
    /// Runs the pipeline file at `path`. Throws `PipelineFileError` (exit 2) before writing anything.
    public static func execute(pipelinePath path: String, options: RunOptions = RunOptions(),
                               progress: (String) -> Void = { _ in }) throws -> RunResult {
        let started = Date()
        let pipeline = try LoadedPipeline(path: path)
        let folder = options.outputFolder ?? pipeline.config.outputFolder
        if options.write { try OutputFolderCheck.check(folder, pipeline: path, inputs: pipeline.config.sources.flatMap(\.files)) }
        let lock = options.write ? try RunLock.acquire(folder: folder, wait: options.waitForLock) : nil
        defer { lock?.release() }
        SpillFolders.removeStale()  // left by runs that died (kill -9, a crash)
        let stage = options.write ? try OutputStage(folder: folder) : nil
        let rejects = try RejectLog(path: stage?.path("rejects.csv"))
        // A run that keeps pseudonyms (a state) needs the lasting key; otherwise one for this process.
        let key = try options.pseudonymKey ?? (options.emitState == nil ? PseudonymKeys.forRun(pipeline.config)
            : PseudonymKeys.persistent(pipeline.config, outputFolder: options.outputFolder, create: true))
        var ingestion = Ingestion(config: pipeline.config, rejects: rejects, key: key)
        ingestion.besideLimit = options.besideLimit
        if let emitState = options.emitState {
            // A fresh state: what this partition read, nothing else.
            for suffix in ["", "-wal", "-shm"] where unlink(emitState + suffix) != 0 && errno != ENOENT {
                throw OutputError("the state file", path: emitState + suffix, errno: errno, option: "--emit-state")
            }
            let store = try ImpactStore(path: emitState, access: .keyed(fingerprint: key.fingerprint))
            try store.transaction { tx in try ingestion.run(progress: progress, state: StateSink(tx)) }
        } else {
            try ingestion.run(progress: progress)
        }
        return try RunOutputs.produce(&ingestion, pipeline: pipeline, options: options, stage: stage, started: started, progress: progress)
    }
}
