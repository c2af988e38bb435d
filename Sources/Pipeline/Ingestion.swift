import Ingest
import Indicators
import PipelineFile
import Records
import Report

/// The ingest → validate → de-duplicate → link stages over every source of a pipeline file.
struct Ingestion {
    let config: PipelineConfig
    private(set) var reach: ReachState
    let rejects: RejectLog
    private(set) var sources: [SourceSummary] = []
    private(set) var inputs: [InputFileInfo] = []
    private var entryCache: [String: Int?] = [:]

    init(config: PipelineConfig, rejects: RejectLog) {
        self.config = config
        self.rejects = rejects
        reach = ReachState(scheme: config.periods)
    }

    /// Reads every source: actions first (attendance lines link to them), each in pipeline order.
    mutating func run(progress: (String) -> Void) throws {
        let ordered = config.sources.filter { $0.kind == .actions } + config.sources.filter { $0.kind != .actions }
        var summaries: [String: SourceSummary] = [:]
        var infos: [String: [InputFileInfo]] = [:]
        for source in ordered {
            var summary = SourceSummary(name: source.name, kind: source.kind.rawValue, files: source.files.count)
            let mapper = SourceMapper(source: source, config: config)
            for file in source.files {
                progress("reading \(displayPath(file)) (\(source.name))")
                let digest = try FileDigest.sha256(path: file)
                do {
                    let reading = try mapper.map(file: file) { record in
                        summary.tally.read += 1
                        accept(record, into: &summary.tally)
                    }
                    summary.tally.encodingFallbacks += reading.encodingFallbacks
                    infos[source.name, default: []].append(
                        InputFileInfo(source: source.name, path: displayPath(file), size: digest.size, sha256: digest.hex,
                                      encoding: reading.encoding, delimiter: reading.delimiter))
                } catch let error as SourceUnreadable {
                    summary.unreadable.append("\(displayPath(file)): \(error.message)")
                    rejects.append(Reject(location: RecordLocation(source: source.name, line: 0, path: displayPath(file)),
                                          field: "", value: "", reason: .unreadableSource, message: error.message))
                    infos[source.name, default: []].append(
                        InputFileInfo(source: source.name, path: displayPath(file), size: digest.size, sha256: digest.hex,
                                      encoding: "", delimiter: ""))
                }
            }
            // Every physical record is accounted for, whatever happened to it.
            precondition(summary.tally.reconciles, "source \(source.name): read ≠ accepted + rejected + duplicates")
            summaries[source.name] = summary
        }
        // Report sources in the pipeline file's order.
        sources = config.sources.compactMap { summaries[$0.name] }
        inputs = config.sources.flatMap { infos[$0.name] ?? [] }
    }

    /// De-duplicates and links one mapped record, counting what became of it.
    private mutating func accept(_ record: MappedRecord, into tally: inout SourceTally) {
        switch record {
        case .rejected(let faults):
            tally.rejected += 1
            faults.forEach(rejects.append)
        case .action(let action):
            if let existing = reach.action(forID: action.id) {
                if existing.sameContent(as: action) {
                    tally.duplicates += 1
                } else {
                    tally.rejected += 1
                    rejects.append(Reject(location: action.location, field: "action_id", value: action.id, reason: .duplicateConflict,
                                          message: "action '\(action.id)' was already read at \(existing.location) with different details; keep one version in the exports"))
                }
            } else {
                reach.add(action)
                tally.accepted += 1
            }
        case .attendance(let line):
            guard let entry = actionEntry(line.actionID) else {
                tally.rejected += 1
                rejects.append(Reject(location: line.location, field: "action_id", value: line.actionID, reason: .unknownAction,
                                      message: "no action '\(line.actionID)' in the actions sources; check the id or add the action"))
                return
            }
            switch reach.add(line, at: entry) {
            case .added:
                tally.accepted += 1
            case .duplicate:
                tally.duplicates += 1
            case .conflict(let listed):
                tally.rejected += 1
                rejects.append(Reject(location: line.location, field: "stakeholder_type", value: line.stakeholderType,
                                      reason: .duplicateConflict,
                                      message: "this person is already listed at action '\(line.actionID)' as '\(listed)'"))
            }
        }
    }

    /// The action an attendance line names; raw ids repeat, so their folding is cached.
    private mutating func actionEntry(_ id: String) -> Int? {
        if let cached = entryCache[id] { return cached }
        let found = reach.entryIndex(forID: id)
        if entryCache.count < 1_000_000 { entryCache[id] = found }
        return found
    }

    /// A path relative to the pipeline file's folder, whatever the working directory.
    func displayPath(_ file: String) -> String { PipelineLoader.relative(file, from: config.baseDirectory) }
}
