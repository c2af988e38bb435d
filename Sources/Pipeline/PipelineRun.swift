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
    /// 0 success, 1 data problems (design §9).
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
        if let emitState = options.emitState {
            // A fresh state: what this partition read, nothing else.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: emitState + suffix) }
            let store = try ImpactStore(path: emitState, access: .keyed(fingerprint: key.fingerprint))
            try store.transaction { tx in try ingestion.run(progress: progress, state: StateSink(tx)) }
        } else {
            try ingestion.run(progress: progress)
        }
        return try RunOutputs.produce(&ingestion, pipeline: pipeline, options: options, stage: stage, started: started, progress: progress)
    }
}

/// From ingested records to the outputs: indicators, protection, report, atomic commit.
enum RunOutputs {
    /// `ingestion`'s aggregates are released once the indicators are computed (they are the
    /// largest part of the memory, and the report needs only the rows).
    static func produce(_ ingestion: inout Ingestion, pipeline: LoadedPipeline, options: RunOptions, stage: OutputStage?,
                        started: Date, history: ReportHistory? = nil, progress: (String) -> Void) throws -> RunResult {
        let config = pipeline.config
        let rejects = ingestion.rejects
        let folder = options.outputFolder ?? config.outputFolder
        progress("computing indicators")
        var clock = ContinuousClock.now
        var timings = ingestion.timings
        // Each aggregate is released as soon as its rows exist, so what follows reuses its memory.
        var raw = ReachIndicators.compute(ingestion.reach, stakeholderTypes: config.stakeholderTypes.ids)
        let countOnlyActions = ingestion.reach.countOnlyActions
        let peoplePerOrganisation = ingestion.reach.peoplePerOrganisation
        let listed = ReachIndicators.listedPersons(ingestion.reach)
        let headCounted = ReachIndicators.headCounted(ingestion.reach, stakeholderTypes: config.stakeholderTypes.ids)
        let programmeStart = ingestion.reach.entries.map(\.record.date).min()
        ingestion.releaseReach()
        let perception = ingestion.perception.aggregate(attendance: ingestion.respondentAttendance)
        let themes = ThemeIndicators.compute(ingestion.perception.keptResponsesWithComments,
                                             themes: config.themes.themes.map { ($0.id, $0.kind, $0.keywords) }, scheme: config.periods)
        ingestion.releasePerception()
        raw += PerceptionIndicators.compute(perception)
        raw += PerceptionIndicators.formatRows(perception) + PerceptionIndicators.responseRates(perception, listed: listed)
        let smallUnpaired = PerceptionIndicators.unpairedBelow(config.privacyK, in: perception)
        let dataEnd = config.hiring.dataEnd ?? ingestion.hiring.latestDate
        raw += HiringIndicators.compute(ingestion.hiring, links: ingestion.links, scheme: config.periods,
                                        settings: .init(durable: config.hiring.durable, windowDays: config.hiring.linkWindowDays,
                                                        dataEnd: dataEnd, programmeStart: programmeStart))
        ingestion.releaseHiring()
        ProcessMemory.returnFreedMemory()
        let allRows = raw + themes.rows
        var protected = SmallCellProtection.protect(allRows, k: config.privacyK, hide: smallUnpaired)
        protected += PerceptionIndicators.holmRows(protected)
        let rows = (protected + TargetRows.compute(config.targets, rows: protected)).sortedByKey()
        let language = options.language ?? config.language
        let english = language == "en"
        let labels = Labels(language: language, territories: config.territories, stakeholders: config.stakeholderTypes,
                            actionTypes: config.actionTypes, questionnaire: config.questionnaire)
        // Everything quoted from the inputs goes out through the one masking rule, in the report's language.
        let (names, key) = (ingestion.names, ingestion.key)
        let render = { (text: String) in PersonalData.render(text, labels: labels.masks, isName: { names.contains(key.hash($0)) }) }
        var summary = RunSummary(
            title: english ? config.titleEN ?? config.title : config.title,
            programme: english ? config.programmeEN ?? config.programme : config.programme, periodScheme: config.periods, privacyK: config.privacyK,
            maxRejectRate: config.maxRejectRate, toolVersion: ImpactVersion.current,
            pipelinePath: (pipeline.path as NSString).lastPathComponent, pipelineSHA256: pipeline.sha256,
            inputs: ingestion.inputs, sources: ingestion.sources.map { source in
                var source = source
                source.unreadable = source.unreadable.map(render)
                return source
            }, rejectSample: rejects.sample,
            rejectCounts: rejects.countsByReason, rows: rows,
            countOnlyActions: countOnlyActions)
        summary.questionnaire = config.questionnaire
        summary.reliability = PerceptionIndicators.reliability(perception, k: config.privacyK)
        summary.baselineGaps = PerceptionIndicators.baselineGaps(perception)
        summary.linkage = perception.linkage
        summary.headCounted = headCounted
        summary.dataEnd = dataEnd
        summary.dataEndSet = config.hiring.dataEnd != nil
        summary.programmeStart = programmeStart
        summary.durableStrict = config.hiring.durable.strict
        summary.themes = config.themes.themes.map { ($0.id, $0.label, $0.kind) }
        summary.themeLabelsEN = config.themes.englishLabels
        summary.history = history
        summary.quotes = config.themes.quotes ? themes.quotes.mapValues { $0.map(render) } : [:]
        summary.firstDate = ingestion.dateRange.first
        summary.lastDate = ingestion.dateRange.last
        summary.linkWindowDays = config.hiring.linkWindowDays
        // Organisations are named as written, but an e-mail or phone typed into the column is masked
        // (the store keeps their names so masked: the same names, whether read now or replayed).
        let organisationNames = ingestion.organisationNames.mapValues {
            PersonalData.render(PersonalData.maskContacts($0), labels: labels.masks, isName: { _ in false })
        }
        summary.organisationsReached = peoplePerOrganisation.mapValues {
            OrganisationsReached.protect($0, names: organisationNames, k: config.privacyK)
        }
        let exitCode: Int32 = summary.hasDataProblems ? 1 : 0
        timings.append(StageTiming(stage: "indicators", source: nil, seconds: (ContinuousClock.now - clock).seconds, records: rows.count))
        clock = ContinuousClock.now
        guard let stage else {
            var result = RunResult(summary: summary, outputFolder: folder, written: [], exitCode: exitCode, unprotectedRows: allRows)
            result.timings = timings
            return result
        }

        progress("writing \(folder)")
        var files: [(String, String)] = [
            ("indicators.csv", IndicatorsCSV.render(rows)),
            ("indicators-excel.csv", ExcelCSV.render(rows, labels: labels)),
        ]
        var charts: [String: ChartFile] = [:]
        func add(_ chart: SVGChart?, key: String, name: String) {
            guard let chart else { return }
            charts[key] = ChartFile(file: name, chart: chart)
            files.append((name, chart.svg()))
        }
        let types = config.stakeholderTypes.ids.filter { type in rows.contains { $0.stakeholderType == type } }
        for period in summary.periods {
            add(ReachChart.chart(summary: summary, period: period, labels: labels, types: types), key: period, name: "reach-\(period).svg")
        }
        for period in summary.periods {
            for type in config.stakeholderTypes.ids {
                for prefix in ["perception", "retro_perception"] {
                    add(ShiftChart.chart(summary: summary, period: period, type: type, prefix: prefix, labels: labels), key: "\(period)/\(type)/\(prefix)",
                        name: "\(prefix == "perception" ? "shift" : "perceived-shift")-\(type)-\(period).svg")
                }
            }
        }
        for period in summary.periods {
            add(FunnelChart.chart(summary: summary, period: period, labels: labels), key: "\(period)/funnel", name: "funnel-\(period).svg")
        }
        let report = ImpactReport(summary: summary, labels: labels, charts: charts).rendered()
        files.append(("report.md", report.markdown))
        files.append(("report.html", report.html))
        let written = files.map(\.0) + ["rejects.csv", "manifest.json"]
        var hashes: [String: String] = [:]
        for (name, text) in files {
            try stage.write(text, name: name)
            hashes[name] = FileDigest.sha256(data: Data(text.utf8))
        }
        try rejects.commit(render: render)
        stage.staged("rejects.csv")
        hashes["rejects.csv"] = try FileDigest.sha256(path: stage.path("rejects.csv")).hex  // streamed: it may be large
        let manifest = Manifest(summary: summary, outputs: written, exitCode: Int(exitCode), startedAt: started, finishedAt: Date())
        let manifestText = try manifest.json()
        try stage.write(manifestText, name: "manifest.json")
        hashes["manifest.json"] = FileDigest.sha256(data: Data(manifestText.utf8))
        try stage.commit()
        var result = RunResult(summary: summary, outputFolder: folder, written: written, exitCode: exitCode, unprotectedRows: allRows)
        result.outputHashes = hashes
        result.timings = timings + [StageTiming(stage: "write", source: nil, seconds: (ContinuousClock.now - clock).seconds)]
        return result
    }
}
