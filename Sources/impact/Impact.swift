import ArgumentParser
import Drafting
import Foundation
import Logging
import Pipeline
import PipelineFile
import Records

@main
struct Impact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Impact reports from partner exports: sources → records → aggregates → indicators → report.",
        version: ImpactVersion.current,
        subcommands: [Init.self, Run.self, Validate.self, Preview.self, Refresh.self, History.self, Merge.self])

    static let commands = ["init", "run", "validate", "preview", "refresh", "history", "merge", "help"]

    /// A mistyped command (`impact runn`) is said as such, with the nearest command, not as unexpected
    /// arguments. Signals and malloc are set up before anything else, so that every thread inherits
    /// their blocking and shares one malloc arena.
    static func main() {
        Interruption.install()
        ProcessMemory.tuneForLargeInputs()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-"), !commands.contains(first) {
            let hint = Nearest.suggestion(for: first, among: commands).map { "did you mean '\($0)'?" }
                ?? "the commands: \(commands.dropLast().joined(separator: ", "))"
            printError("'\(first)' is not an impact command; \(hint) (impact --help says what each does)")
            Foundation.exit(2)
        }
        main(arguments)
    }
}

/// Runs `body` with a progress callback: on stderr, only when it is a terminal and `quiet` is false,
/// where the reading's progress (bytes, records/s, time left) is also redrawn in place.
func withProgress<T>(quiet: Bool, _ body: (@escaping (String) -> Void) throws -> T) rethrows -> T {
    guard !quiet, isatty(STDERR_FILENO) == 1 else { return try body { _ in } }
    let meter = TerminalProgress()
    meter.start()
    defer { meter.stop() }
    return try body(meter.message)
}

/// One "error: " line per line of the message (a pipeline file may have several missing inputs).
func printError(_ message: String) {
    FileHandle.standardError.write(Data(message.split(separator: "\n").map { "error: \($0)\n" }.joined().utf8))
}

/// Runs `body`, turning an error into its one-line message and exit code (2, or 75 for a held lock).
func guarded(log: Logger? = nil, _ body: () throws -> Int32) throws {
    Interruption.useJSONLog(log != nil)
    do {
        let code = try body()
        if code != 0 { throw ExitCode(code) }
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let code = (error as? ImpactError)?.exitCode ?? 2
        let line = ErrorText.line(error)
        if let log {
            log.error("error", metadata: ["message": "\(ErrorText.message(error))", "exit_code": "\(code)"])
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        throw ExitCode(code)
    }
}

/// Options shared by the scheduled commands.
struct SchedulerOptions: ParsableArguments {
    @Flag(name: .long, help: "If another run or refresh writes the same outputs, wait for it instead of exiting 75.") var wait = false
    @Option(name: .long, help: "Log lines on stderr: text or json (one object per line, for schedulers).") var logFormat: LogFormat?

    /// A logger when --log-format is given.
    func logger(_ command: String) -> Logger? {
        guard let logFormat else { return nil }
        let format = logFormat
        return Logger(label: "impact.\(command)") { _ in RunLogHandler(format: format) }
    }
}

extension LogFormat: ExpressibleByArgument {}
extension SourceKind: ExpressibleByArgument {}

/// Where the outputs go and in which language.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Write the outputs here instead of the pipeline file's folder.") var output: String?
    @Option(name: .long, help: "Report language: fr or en.") var lang: String?

    func validate() throws {
        if let lang, !["fr", "en"].contains(lang) { throw ValidationError("--lang must be fr or en") }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the pipeline and write the outputs.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @OptionGroup var outputs: OutputOptions
    @Flag(name: .long, help: "Print nothing but errors.") var quiet = false
    @Option(name: .long, help: "Also write what this partition read to FILE, for `impact merge`.") var emitState: String?
    @Flag(name: .long, help: "Then print report.html to report.pdf with headless Chromium (Debian's chromium).") var pdf = false
    @OptionGroup var scheduler: SchedulerOptions

    func run() throws {
        let log = scheduler.logger("run")
        let started = Date()
        log?.info("start", metadata: ["command": "run", "pipeline": "\(pipeline)"])
        try guarded(log: log) {
            var runOptions = RunOptions(outputFolder: outputs.output, language: outputs.lang, waitForLock: scheduler.wait)
            runOptions.emitState = emitState
            let result = try withProgress(quiet: quiet || log != nil) { progress in
                try PipelineRun.execute(pipelinePath: pipeline, options: runOptions, progress: progress)
            }
            if let log {
                RunEvents.stages(result, to: log)
                RunEvents.sources(result, to: log)
                log.info("end", metadata: ["status": "written", "exit_code": "\(result.exitCode)",
                                           "duration_s": "\(String(format: "%.3f", Date().timeIntervalSince(started)))"])
            } else if !quiet {
                print(Summary.lines(result).joined(separator: "\n"))
            }
            if pdf {
                let written = try ReportPDF.print(folder: result.outputFolder)
                if !quiet && log == nil { print("printed \(written)") }
            }
            return result.exitCode
        }
    }
}

struct Refresh: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The scheduled job: read only new or changed inputs into the store, then rewrite the outputs.",
        discussion: "Silent and exit 0 when nothing changed. Exit 1: data problems (outputs written); 2: pipeline-file or store error; 75: another run holds the outputs.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @OptionGroup var outputs: OutputOptions
    @Flag(name: .long, help: "Forget the records of input files that disappeared (kept by default).") var prune = false
    @Flag(name: .long, help: "Say what was found even when nothing changed.") var verbose = false
    @OptionGroup var scheduler: SchedulerOptions

    func run() throws {
        let log = scheduler.logger("refresh")
        let started = Date()
        log?.info("start", metadata: ["command": "refresh", "pipeline": "\(pipeline)"])
        try guarded(log: log) {
            let options = RefreshOptions(outputFolder: outputs.output, language: outputs.lang, prune: prune, waitForLock: scheduler.wait)
            let result = try withProgress(quiet: log != nil || !verbose) { progress in
                try PipelineRefresh.execute(pipelinePath: pipeline, options: options, progress: progress)
            }
            let duration = String(format: "%.3f", Date().timeIntervalSince(started))
            if let log {
                RunEvents.files(result, to: log)
                if let run = result.run {
                    RunEvents.stages(run, to: log)
                    RunEvents.sources(run, to: log)
                }
                log.info("end", metadata: ["status": result.changed ? "written" : "no change", "exit_code": "\(result.exitCode)",
                                           "records_added": "\(result.added)", "records_replaced": "\(result.replaced)",
                                           "duration_s": "\(duration)"])
            } else if let run = result.run {
                for f in result.files where f.kind != .unchanged {
                    let counts = f.counts.map { c in ": \(c.physical) records, \(c.added) new, \(c.known) already stored, \(c.replaced) corrected, \(c.rejected) rejected" } ?? ""
                    print("\(f.kind.rawValue) \(f.path) (\(f.source))\(counts)")
                }
                print(Summary.lines(run).joined(separator: "\n"))
                print("store \(result.storePath): snapshot \(result.snapshotID.map(String.init) ?? "—"), \(result.added) records added, \(result.replaced) replaced")
            } else if verbose {
                print("no change: \(result.files.count) input files as stored in \(result.storePath); nothing written")
            }
            return result.exitCode
        }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the outputs of one whole run from the states partitions emitted (`impact run --emit-state`).",
        discussion: "The pipeline file gives the settings (vocabularies, periods, k, outputs); its sources are matched by name to the states' records, which are replayed source by source in the order the states are given.")

    @Argument(help: "The pipeline file of the whole (settings and output folder).") var pipeline: String
    @Argument(help: "State files written by `impact run --emit-state`.") var states: [String]
    @OptionGroup var outputs: OutputOptions
    @Flag(name: .long, help: "Print nothing but errors.") var quiet = false
    @Flag(name: .long, help: "Wait for another run writing the same outputs instead of exiting 75.") var wait = false

    func run() throws {
        try guarded {
            let options = RunOptions(outputFolder: outputs.output, language: outputs.lang, waitForLock: wait)
            let result = try withProgress(quiet: quiet) { progress in
                try PipelineMerge.execute(pipelinePath: pipeline, states: states, options: options, progress: progress)
            }
            if !quiet { print(Summary.lines(result).joined(separator: "\n")) }
            return result.exitCode
        }
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the refresh snapshots, or one indicator across them.",
        discussion: "Without --indicator: one line per snapshot. With it: the figure at each snapshot (territory ALL and no breakdown unless given).")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(name: .long, help: "Follow this indicator (e.g. participants, hires, perception_shift).") var indicator: String?
    @Option(name: .long, help: "Only this period (e.g. 2024-2025).") var period: String?
    @Option(name: .long, help: "Territory id, or ALL (default).") var territory = "ALL"
    @Option(name: .long, help: "Stakeholder type id or ALL (default: any).") var type: String?
    @Option(name: .long, help: "Breakdown dimension (action_type, dimension, item, contract_type…; default: none).") var dimension = ""
    @Option(name: .long, help: "Breakdown category (default: any).") var category: String?
    @Option(name: .long, help: "The outputs folder the store sits beside, when refresh was given --output.") var output: String?
    @Flag(name: .long, help: "Print CSV instead of an aligned table.") var csv = false

    func run() throws {
        try guarded {
            let filter = Pipeline.History.Filter(indicator: indicator, period: period, territory: territory, stakeholderType: type,
                                                 dimension: dimension, category: category)
            print(try Pipeline.History.lines(pipelinePath: pipeline, outputFolder: output, filter: filter, csv: csv).joined(separator: "\n"))
            return 0
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the pipeline file and read every source; write nothing.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Flag(name: .long, help: "Print nothing but errors.") var quiet = false

    func run() throws {
        try guarded {
            let result = try withProgress(quiet: quiet) { progress in
                try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(write: false), progress: progress)
            }
            if !quiet {
                print(Summary.lines(result).joined(separator: "\n"))
                let todos = PipelineDraft.todoLines((try? String(contentsOfFile: pipeline, encoding: .utf8)) ?? "")
                if let first = todos.first {
                    print("note: \(todos.count) line\(todos.count == 1 ? "" : "s") of \(pipeline) still hold\(todos.count == 1 ? "s" : "") a TODO (the first: line \(first))")
                }
            }
            return result.exitCode
        }
    }
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draft a pipeline file from a folder of exports, then read them through it.",
        discussion: "Every CSV, XML and workbook file of FOLDER (and a sub-folder of ODK submissions) is profiled; the draft maps its columns, lists every label it found with the canonical value proposed, and marks with TODO what only you can decide. An existing file is never overwritten.")

    @Argument(help: "The folder holding the exports.") var folder: String
    @Option(name: .shortAndLong, help: "The pipeline file to write (never overwritten).") var output = "pipeline.yml"
    @Flag(name: .long, help: "Print nothing but errors.") var quiet = false

    func run() throws {
        try guarded {
            let draft = try PipelineDraft.make(folder: folder, pipelinePath: output)
            try draft.write(to: output)
            guard !quiet else { return 0 }
            print(draft.report.joined(separator: "\n"))
            let result = try withProgress(quiet: quiet) { progress in
                try PipelineRun.execute(pipelinePath: output, options: RunOptions(write: false), progress: progress)
            }
            print(Summary.lines(result).joined(separator: "\n"))
            print("wrote \(output): \(draft.todos) line\(draft.todos == 1 ? "" : "s") with a TODO to settle; then impact validate \(output) and impact run \(output)")
            return 0
        }
    }
}

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show how a file is read: encoding, dialect, header, first records.")

    @Argument(help: "A CSV, XML or workbook (.xlsx, .xlsm, .ods) export.") var file: String
    @Flag(name: .long, help: "Print every record as a JSON array of arrays of strings.") var json = false
    @Option(name: .long, help: "Records shown after the header.") var rows = 5
    @Option(name: .long, help: "A workbook's sheet: its name or 1-based position (default: the first).") var sheet: String?
    @Option(name: .long, help: "Also print a source entry mapping the file as this kind: actions, attendance, responses or pathway.") var suggest: SourceKind?

    func run() throws {
        try guarded {
            if json {
                var buffer = ""
                try Pipeline.Preview.json(path: file, sheet: sheet) { chunk in
                    buffer += chunk
                    if buffer.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(buffer.utf8)); buffer = "" }
                }
                FileHandle.standardOutput.write(Data(buffer.utf8))
            } else {
                print(try Pipeline.Preview.text(path: file, rows: rows, sheet: sheet, suggest: suggest), terminator: "")
            }
            return 0
        }
    }
}

/// The few lines `run` and `validate` print.
enum Summary {
    static func lines(_ result: RunResult) -> [String] {
        var lines: [String] = []
        for s in result.summary.sources {
            lines += s.notes.map { "note: \(s.name): \($0)" }
            let t = s.tally
            lines.append("\(s.name): read \(t.read), accepted \(t.accepted), rejected \(t.rejected), duplicates \(t.duplicates)"
                         + (s.unreadable.isEmpty ? "" : " — UNREADABLE: \(s.unreadable.joined(separator: "; "))"))
        }
        for s in result.summary.sourcesAboveRejectThreshold {
            lines.append("warning: \(s.name) rejects \(String(format: "%.1f", s.tally.rejectRate * 100)) % of its records (threshold \(String(format: "%.1f", result.summary.maxRejectRate * 100)) %)")
        }
        if !result.written.isEmpty { lines.append("wrote \(result.written.count) files to \(result.outputFolder)") }
        let rejecting = result.summary.sources.filter { !$0.rejectReasons.isEmpty }
        if !rejecting.isEmpty {
            let details = result.written.contains("rejects.csv") ? "details in \(result.outputFolder)/rejects.csv" : "impact run writes the details to rejects.csv"
            lines.append("rejects by reason (\(details)):")
            for s in rejecting {
                let top = s.rejectReasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                let shown = top.prefix(3).map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
                lines.append("  \(s.name): \(shown)\(top.count > 3 ? " (+\(top.count - 3) more reason\(top.count == 4 ? "" : "s"))" : "")")
            }
        }
        return lines
    }
}
