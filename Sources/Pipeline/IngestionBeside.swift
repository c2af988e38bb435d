import Foundation
import Ingest
import IngestWorkbook
import InputFiles
import PipelineFile
import Records
import Report

// Survey answers and hiring logs touch neither the actions nor the attendance: while this thread
// reads those, another reads them into an `Ingestion` of its own, merged back as if read in turn.
// Their readers are one or two threads each, and alone they left part of the second core idle
// (docs/performance.md, "Sources read beside the attendance").

extension Ingestion {
    /// Whether a source of this kind is read beside the others in a run from the files: its records
    /// reach only the survey or hiring aggregates, never an action or an attendance line.
    static func goesBeside(_ kind: SourceKind) -> Bool { kind == .responses || kind == .pathway }

    /// Survey answers kept for pairing take about a fifth of their files' size, which read beside
    /// adds to the attendance's peak: beyond this, the sources are read in turn (docs/performance.md).
    static let besideByteLimit = 64 << 20

    /// The files' total size, as weighed against `besideByteLimit`: a workbook (ZIP or OLE) counts as
    /// over it, its packed size saying little of its sheets'; a file that cannot be read counts nothing
    /// (its source says why when read).
    static func bytes(of files: [String]) -> Int {
        files.reduce(0) { total, file in
            if FileSignature.of(path: file) != .other { return total + besideByteLimit + 1 }
            return total + (InputFile.size(file) ?? 0)
        }
    }
}

/// The sources `Ingestion.goesBeside` names, read on a thread of their own into an `Ingestion` with its
/// own reject log (a `RejectLog.companion`), from `init` until `finish`.
///
/// Unchecked `Sendable`: the reading thread alone touches `outcome` and `failure` until it signals
/// `done`; the caller reads them only after waiting for that.
final class BesideReading: @unchecked Sendable {
    /// What the thread read: its ingestion, and per source (in reading order) the summary, the files
    /// and its log's mark at the source's end.
    struct Outcome {
        var ingestion: Ingestion
        var read: [(index: Int, summary: SourceSummary, files: [InputFileInfo], end: RejectLog.Mark)] = []
    }

    /// What the stage line of a source read beside says.
    static let note = "read beside the actions and attendance"

    private var outcome: Outcome
    private var failure: (any Error)?
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading `sources` (index in the pipeline file, source), in that order.
    init(_ sources: [(offset: Int, element: SourceConfig)], config: PipelineConfig, rejects: RejectLog, key: PseudonymKey) throws {
        outcome = Outcome(ingestion: Ingestion(config: config, rejects: try rejects.companion("beside"), key: key))
        let thread = Thread { [self] in
            defer { done.signal() }
            do {
                for (index, source) in sources {
                    let (summary, files) = try outcome.ingestion.readSource(source, index: index, feed: .files(state: nil), progress: { _ in })
                    let last = outcome.ingestion.timings.count - 1  // its reader's own note kept ahead
                    outcome.ingestion.timings[last].note = (outcome.ingestion.timings[last].note.map { $0 + "; " } ?? "") + Self.note
                    outcome.read.append((index, summary, files, outcome.ingestion.rejects.mark))
                }
            } catch {
                failure = error
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the reading; what it read, or the error that stopped it.
    func finish() throws -> Outcome {
        done.wait()
        done.signal()  // a later call does not wait
        if let failure { throw failure }
        return outcome
    }
}
