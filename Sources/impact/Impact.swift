import ArgumentParser
import Foundation
import Pipeline
import PipelineFile

@main
struct Impact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Impact reports from partner exports: sources → records → aggregates → indicators → report.",
        version: ImpactVersion.current,
        subcommands: [Run.self, Validate.self, Preview.self])
}

/// Progress goes to stderr, and only when it is a terminal and --quiet is not given.
func progressPrinter(quiet: Bool) -> (String) -> Void {
    guard !quiet, isatty(STDERR_FILENO) == 1 else { return { _ in } }
    return { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Runs `body`, turning a pipeline-file mistake into exit 2 with its one-line message.
func guarded(_ body: () throws -> Int32) throws {
    do {
        let code = try body()
        if code != 0 { throw ExitCode(code) }
    } catch let error as PipelineFileError {
        printError(error.description)
        throw ExitCode(2)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("\(error)")
        throw ExitCode(2)
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the pipeline and write the outputs.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Option(name: .long, help: "Write the outputs here instead of the pipeline file's folder.") var output: String?
    @Option(name: .long, help: "Report language: fr or en.") var lang: String?
    @Flag(name: .long, help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        if let lang, !["fr", "en"].contains(lang) { throw ValidationError("--lang must be fr or en") }
    }

    func run() throws {
        try guarded {
            let result = try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(outputFolder: output, language: lang),
                                                 progress: progressPrinter(quiet: quiet))
            if !quiet { print(Summary.lines(result).joined(separator: "\n")) }
            return result.exitCode
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the pipeline file and read every source; write nothing.")

    @Argument(help: "The pipeline file (YAML).") var pipeline: String
    @Flag(name: .long, help: "Print nothing but errors.") var quiet = false

    func run() throws {
        try guarded {
            let result = try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(write: false),
                                                 progress: progressPrinter(quiet: quiet))
            if !quiet { print(Summary.lines(result).joined(separator: "\n")) }
            return result.exitCode
        }
    }
}

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show how a file is read: encoding, dialect, header, first records.")

    @Argument(help: "A CSV or XML export.") var file: String
    @Flag(name: .long, help: "Print every record as a JSON array of arrays of strings.") var json = false
    @Option(name: .long, help: "Records shown after the header.") var rows = 5

    func run() throws {
        try guarded {
            if json {
                var buffer = ""
                try Pipeline.Preview.json(path: file) { chunk in
                    buffer += chunk
                    if buffer.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(buffer.utf8)); buffer = "" }
                }
                FileHandle.standardOutput.write(Data(buffer.utf8))
            } else {
                print(try Pipeline.Preview.text(path: file, rows: rows), terminator: "")
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
            let t = s.tally
            lines.append("\(s.name): read \(t.read), accepted \(t.accepted), rejected \(t.rejected), duplicates \(t.duplicates)"
                         + (s.unreadable.isEmpty ? "" : " — UNREADABLE: \(s.unreadable.joined(separator: "; "))"))
        }
        for s in result.summary.sourcesAboveRejectThreshold {
            lines.append("warning: \(s.name) rejects \(String(format: "%.1f", s.tally.rejectRate * 100)) % of its records (threshold \(String(format: "%.1f", result.summary.maxRejectRate * 100)) %)")
        }
        if !result.written.isEmpty { lines.append("wrote \(result.written.count) files to \(result.outputFolder)") }
        return lines
    }
}
