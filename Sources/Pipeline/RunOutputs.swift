import Foundation
import Indicators
import Ingest
import InputFiles
import PipelineFile
import Records
import Report

/// From ingested records to the outputs: indicators, protection, report, atomic commit.
enum RunOutputs {
    /// `ingestion`'s aggregates are released once the indicators are computed (they are the
    /// largest part of the memory, and the report needs only the rows).
    static func produce(_ ingestion: inout Ingestion, pipeline: LoadedPipeline, options: RunOptions, stage: OutputStage?,
                        started: Date, history: ReportHistory? = nil, progress: (String) -> Void) throws -> RunResult {
        let config = pipeline.config
        let folder = options.outputFolder ?? config.outputFolder
        progress("computing indicators")
        var clock = ContinuousClock.now
        let language = options.language ?? config.language
        let labels = Labels(language: language, territories: config.territories, stakeholders: config.stakeholderTypes,
                            actionTypes: config.actionTypes, questionnaire: config.questionnaire)
        // Everything quoted from the inputs goes out through the one masking rule, in the report's language.
        let (names, key) = (ingestion.names, ingestion.key)
        let render = { @Sendable (text: String) in PersonalData.render(text, labels: labels.masks, isName: { names.contains(key.hash($0)) }) }
        var figures = Figures(&ingestion, config: config, masks: labels.masks)
        // rejects.csv is written on another core while the figures are protected.
        let rejects = stage.map { stage in
            Background { [log = CommittingLog(log: ingestion.rejects), path = stage.path("rejects.csv")] in
                Result { try log.commit(render: render, path: path) }
            }
        }
        defer { rejects?.join() }  // even on an error: never leave it writing into a staging folder being removed
        figures.protect(k: config.privacyK, targets: config.targets)
        // The two indicator tables need only the rows and labels: rendered and hashed on another core
        // from now on, while the summary and the report are made.
        let rows = figures.rows
        let tables = stage == nil ? nil : Background {
            [("indicators.csv", IndicatorsCSV.render(rows)), ("indicators-excel.csv", ExcelCSV.render(rows, labels: labels))].map {
                StagedText(name: $0, text: $1, sha256: FileDigest.sha256(data: Data($1.utf8)))
            }
        }
        let summary = figures.summary(of: ingestion, pipeline: pipeline, english: language == "en", labels: labels, history: history,
                                      render: render)
        let exitCode: Int32 = summary.hasDataProblems ? 1 : 0
        let timings = ingestion.timings
            + [StageTiming(stage: "indicators", source: nil, seconds: (ContinuousClock.now - clock).seconds, records: figures.rows.count)]
        guard let stage, let tables, let rejects else {
            var result = RunResult(summary: summary, outputFolder: folder, written: [], exitCode: exitCode, unprotectedRows: figures.unprotected)
            result.timings = timings
            return result
        }

        progress("writing \(folder)")
        clock = ContinuousClock.now
        let written = try write(summary, labels: labels, to: stage, tables: tables, rejects: rejects, started: started, exitCode: exitCode)
        var result = RunResult(summary: summary, outputFolder: folder, written: written.files, exitCode: exitCode,
                               unprotectedRows: figures.unprotected)
        result.outputHashes = written.hashes
        result.timings = timings + [StageTiming(stage: "write", source: nil, seconds: (ContinuousClock.now - clock).seconds)]
        return result
    }

    /// The reject log, handed to the thread that writes rejects.csv. Unchecked: ingestion is over, so
    /// nothing appends to the log any more, and until that thread is joined the others read only
    /// what `commit` never writes (the sample and the counts).
    struct CommittingLog: @unchecked Sendable {
        let log: RejectLog

        /// Writes rejects.csv (at `path`, where the log was opened) and returns its SHA-256.
        func commit(render: (String) -> String, path: String) throws -> String {
            try log.commit(render: render)
            return try FileDigest.sha256(path: path).hex  // streamed: it may be large
        }
    }

    /// A file's text and its SHA-256, made before it is written.
    struct StagedText: Sendable {
        let name: String
        let text: String
        let sha256: String
    }

    /// Writes every output into `stage` (`tables`: the indicator tables, being made on another core)
    /// and commits it: the files written (relative names) and the SHA-256 of each.
    static func write(_ summary: RunSummary, labels: Labels, to stage: OutputStage, tables: Background<[StagedText]>,
                      rejects: Background<Result<String, any Error>>, started: Date, exitCode: Int32) throws -> (files: [String], hashes: [String: String]) {
        let charts = ReportCharts(summary: summary, labels: labels)
        let report = ImpactReport(summary: summary, labels: labels, charts: charts.byKey).rendered()
        let files = tables.wait() + (charts.files.map { ($0.name, $0.svg) } + [("report.md", report.markdown), ("report.html", report.html)]).map {
            StagedText(name: $0, text: $1, sha256: FileDigest.sha256(data: Data($1.utf8)))
        }
        let written = files.map(\.name) + ["rejects.csv", "manifest.json"]
        var hashes: [String: String] = [:]
        for file in files {
            try stage.write(file.text, name: file.name)
            hashes[file.name] = file.sha256
        }
        hashes["rejects.csv"] = try rejects.wait().get()
        stage.staged("rejects.csv")
        let manifest = Manifest(summary: summary, outputs: written, exitCode: Int(exitCode), startedAt: started, finishedAt: Date())
        let manifestText = try manifest.json()
        try stage.write(manifestText, name: "manifest.json")
        hashes["manifest.json"] = FileDigest.sha256(data: Data(manifestText.utf8))
        try stage.commit()
        return (written, hashes)
    }
}
