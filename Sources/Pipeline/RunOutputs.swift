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
        let figures = Figures(&ingestion, config: config)
        let language = options.language ?? config.language
        let labels = Labels(language: language, territories: config.territories, stakeholders: config.stakeholderTypes,
                            actionTypes: config.actionTypes, questionnaire: config.questionnaire)
        // Everything quoted from the inputs goes out through the one masking rule, in the report's language.
        let (names, key) = (ingestion.names, ingestion.key)
        let render = { (text: String) in PersonalData.render(text, labels: labels.masks, isName: { names.contains(key.hash($0)) }) }
        let summary = figures.summary(of: ingestion, pipeline: pipeline, english: language == "en", labels: labels, history: history,
                                      render: render)
        let exitCode: Int32 = summary.hasDataProblems ? 1 : 0
        let timings = ingestion.timings
            + [StageTiming(stage: "indicators", source: nil, seconds: (ContinuousClock.now - clock).seconds, records: figures.rows.count)]
        guard let stage else {
            var result = RunResult(summary: summary, outputFolder: folder, written: [], exitCode: exitCode, unprotectedRows: figures.unprotected)
            result.timings = timings
            return result
        }

        progress("writing \(folder)")
        clock = ContinuousClock.now
        let written = try write(summary, labels: labels, to: stage, rejects: ingestion.rejects, render: render, started: started,
                                exitCode: exitCode)
        var result = RunResult(summary: summary, outputFolder: folder, written: written.files, exitCode: exitCode,
                               unprotectedRows: figures.unprotected)
        result.outputHashes = written.hashes
        result.timings = timings + [StageTiming(stage: "write", source: nil, seconds: (ContinuousClock.now - clock).seconds)]
        return result
    }

    /// Writes every output into `stage` and commits it: the files written (relative names) and the
    /// SHA-256 of each.
    static func write(_ summary: RunSummary, labels: Labels, to stage: OutputStage, rejects: RejectLog, render: (String) -> String,
                      started: Date, exitCode: Int32) throws -> (files: [String], hashes: [String: String]) {
        // The tables need only the rows and labels: rendered on another core while the report is built.
        let rows = summary.rows
        let tables = Background { (IndicatorsCSV.render(rows), ExcelCSV.render(rows, labels: labels)) }
        let charts = ReportCharts(summary: summary, labels: labels)
        let report = ImpactReport(summary: summary, labels: labels, charts: charts.byKey).rendered()
        let (indicators, excel) = tables.wait()
        let files: [(name: String, text: String)] = [("indicators.csv", indicators), ("indicators-excel.csv", excel)]
            + charts.files.map { ($0.name, $0.svg) } + [("report.md", report.markdown), ("report.html", report.html)]
        let written = files.map(\.name) + ["rejects.csv", "manifest.json"]
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
        return (written, hashes)
    }
}
