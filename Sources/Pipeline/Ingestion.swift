import Foundation
import Ingest
import Indicators
import Store
import PipelineFile
import Records
import Report

/// The ingest → validate → de-duplicate → link stages over every source of a pipeline file.
struct Ingestion {
    let config: PipelineConfig
    private(set) var reach: ReachState
    private(set) var perception: PerceptionState
    private(set) var hiring = HiringState()
    /// Who attended which action when; kept only when pathway sources need it.
    private(set) var links = ActionLinks()
    /// What survey respondents attended (found by their key on the sheets).
    private(set) var respondentAttendance = RespondentAttendance(respondents: [])
    private let needsLinks: Bool
    /// First and last dates of the accepted records.
    private(set) var dateRange: (first: CalendarDate?, last: CalendarDate?) = (nil, nil)
    /// Keyed hashes of the folded words of every name read in a name field (to mask them).
    private(set) var names = Set<UInt64>()
    /// The programme secret the pseudonyms are made with.
    let key: PseudonymKey
    /// Organisations named on attendance sheets, by folded-name key.
    private(set) var organisationNames: [UInt64: String] = [:]
    /// What became of every source's records, by index in the pipeline file.
    private var tallies: [SourceTally]
    let rejects: RejectLog
    private(set) var sources: [SourceSummary] = []
    private(set) var inputs: [InputFileInfo] = []
    /// Raw action id → action entry, keyed by the id's FNV hash (checked on a hit).
    private var entryCache = PrehashedMap<(id: String, entry: Int?)>(capacity: 1024)
    private var lastAction: (id: String, entry: Int?)?
    /// Wall time per source read (for `--log-format json` and the benchmark's per-stage figures).
    private(set) var timings: [StageTiming] = []
    /// Rejected actions by folded id, with their first reject: their attendance lines say so.
    private var rejectedActions: [String: Reject] = [:]
    /// Records read since the terminal's progress was last told (told in batches: an atomic add per record is not free).
    private var unreported = 0

    init(config: PipelineConfig, rejects: RejectLog, key: PseudonymKey) {
        self.config = config
        self.key = key
        self.rejects = rejects
        reach = ReachState(scheme: config.periods)
        perception = PerceptionState(questionnaire: config.questionnaire, scheme: config.periods)
        needsLinks = config.sources.contains { $0.kind == .pathway }
        tallies = Array(repeating: SourceTally(), count: config.sources.count)
    }

    /// Reads every source: actions first (attendance lines link to them), each in pipeline order.
    /// `state`, when given, receives every file and record as read (`impact run --emit-state`).
    mutating func run(progress: (String) -> Void, state: StateSink? = nil) throws {
        let ordered = config.sources.filter { $0.kind == .actions } + config.sources.filter { $0.kind != .actions }
        var summaries: [String: SourceSummary] = [:]
        var infos: [String: [InputFileInfo]] = [:]
        for source in ordered {
            let clock = ContinuousClock.now
            let sourceIndex = config.sources.firstIndex { $0.name == source.name } ?? 0
            let readBefore = tallies[sourceIndex].read
            defer {
                timings.append(StageTiming(stage: "read", source: source.name, seconds: (ContinuousClock.now - clock).seconds,
                                           bytes: infos[source.name]?.reduce(0) { $0 + $1.size } ?? 0,
                                           records: tallies[sourceIndex].read - readBefore,
                                           format: source.format.rawValue))
            }
            var summary = SourceSummary(name: source.name, kind: source.kind, files: source.files.count)
            let folders = source.skippedFolders.map(displayPath)
            summary.notes = folders.count <= 3 ? folders.map { "skipped \($0) (a folder, not a file)" }
                : ["skipped \(folders.count) folders the glob matched (\(folders.prefix(3).joined(separator: ", ")), …)"]
            let mapper = SourceMapper(source: source, config: config, key: key)
            ReadProgress.shared.begin(source: source.name, totalBytes: source.files.reduce(0) { total, file in
                total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
            })
            defer {
                ReadProgress.shared.add(records: unreported)
                unreported = 0
                ReadProgress.shared.end()
            }
            // ODK: one pass over every file, so resubmissions across files are recognised.
            let batches = source.format == .odk ? [source.files] : source.files.map { [$0] }
            for batch in batches {
                guard let file = batch.first else { continue }
                progress("reading \(displayPath(file))\(batch.count > 1 ? " and \(batch.count - 1) more" : "") (\(source.name))")
                // CSV and partner-XML files are hashed as they are read; other files (and state, which
                // records the digest first) take a separate pass.
                let hashedWhileRead = state == nil && (source.format == .csv || source.format == .xml)
                var digests = hashedWhileRead ? [] : batch.map(FileDigest.sha256OrEmpty)
                func record(_ encoding: String, _ delimiter: String) {
                    if digests.count != batch.count { digests = batch.map(FileDigest.sha256OrEmpty) }
                    for (f, digest) in zip(batch, digests) {
                        infos[source.name, default: []].append(
                            InputFileInfo(source: source.name, path: displayPath(f), size: digest.size, sha256: digest.hex,
                                          encoding: encoding, delimiter: delimiter))
                    }
                }
                let stateFile = try state?.begin(source: source.name, files: batch.map(displayPath), digests: digests)
                var seq = 0
                func emit(_ mapped: MappedRecord) throws {
                    if let state, let stateFile {
                        seq += 1
                        try state.add(mapped, source: source.name, file: stateFile, seq: seq)
                    }
                    try count(mapped, source: sourceIndex)
                }
                do {
                    if source.format == .odk {
                        try mapper.mapInstances(files: batch, emit: emit)
                        record(SourceMapper.declaredEncoding(file), "")
                    } else {
                        let reading = try mapper.map(file: file, emit: emit)
                        tallies[sourceIndex].encodingFallbacks += reading.encodingFallbacks
                        if let digest = reading.digest, batch.count == 1 { digests = [(digest.hex, digest.size)] }
                        record(reading.encoding, reading.delimiter)
                    }
                } catch let error as SourceUnreadable {
                    state?.unreadable(file: stateFile, message: error.message)
                    summary.unreadable.append("\(displayPath(error.file)): \(error.message)")
                    rejects.append(Reject(location: RecordLocation(source: source.name, line: 0, path: displayPath(error.file)),
                                          field: "", value: "", reason: .unreadableSource, message: error.message))
                    record("", "")
                }
                try state?.finish(file: stateFile, names: mapper.names.words, organisations: mapper.organisationNames.byKey,
                                  info: infos[source.name]?.last)
            }
            names.formUnion(mapper.names.words)
            OrganisationNames.merge(&organisationNames, mapper.organisationNames.byKey)
            summaries[source.name] = summary
        }
        rejectImpossibleRetentions()
        try resolveAttendance()
        finish(summaries: summaries, infos: infos)
    }

    /// Replays the store's records of `files` (in order) through the same stages as a full read.
    mutating func replay(_ store: StoreTransaction, files: [StoredFile], progress: (String) -> Void) throws {
        try replay([(store, files)], progress: progress)
    }

    /// Replays several stores (partitions' states), source by source, each store's files in the order given.
    mutating func replay(_ stores: [(StoreTransaction, [StoredFile])], progress: (String) -> Void) throws {
        var summaries: [String: SourceSummary] = [:]
        var infos: [String: [InputFileInfo]] = [:]
        let ordered = config.sources.filter { $0.kind == .actions } + config.sources.filter { $0.kind != .actions }
        for source in ordered {
            let sourceIndex = config.sources.firstIndex { $0.name == source.name } ?? 0
            let mine = stores.map { store, files in (store, files.filter { $0.source == source.name }) }
            var summary = SourceSummary(name: source.name, kind: source.kind, files: mine.reduce(0) { $0 + $1.1.count })
            progress("replaying \(source.name) from the store")
            for (store, files) in mine {
                for file in files {
                    infos[source.name, default: []].append(InputFileInfo(source: source.name, path: file.path, size: file.size, sha256: file.sha256,
                                                                         encoding: file.encoding, delimiter: file.delimiter))
                    tallies[sourceIndex].read += file.physical
                    tallies[sourceIndex].encodingFallbacks += file.encodingFallbacks
                    tallies[sourceIndex].replaced += file.replaced
                    if let message = file.unreadable {
                        summary.unreadable.append("\(file.path): \(message)")
                        rejects.append(Reject(location: RecordLocation(source: source.name, line: 0, path: file.path),
                                              field: "", value: "", reason: .unreadableSource, message: message))
                    }
                    try store.replay(fileID: file.id) { try accept($0, source: sourceIndex) }
                }
                names.formUnion(try store.names(fileIDs: files.map(\.id)))
                OrganisationNames.merge(&organisationNames, try store.organisationNames(fileIDs: files.map(\.id)))
            }
            summaries[source.name] = summary
        }
        rejectImpossibleRetentions()
        try resolveAttendance()
        // Records the store set aside (overlaps, older versions) are the duplicates of a full read.
        for (i, tally) in tallies.enumerated() {
            tallies[i].duplicates += max(0, tally.read - tally.accepted - tally.rejected - tally.duplicates)
        }
        finish(summaries: summaries, infos: infos)
    }

    /// Rejects the "retained at six months" events that cannot be true (too early after the hire, or
    /// without a hire): they were accepted when read, each becomes a rejected record of its source.
    private mutating func rejectImpossibleRetentions() {
        for (event, reason, hire) in hiring.removeImpossibleRetentions() {
            let source = config.sources.firstIndex { $0.name == event.location.source } ?? 0
            tallies[source].accepted -= 1
            tallies[source].rejected += 1
            let message: String
            if let hire {
                message = "retained at six months on \(event.date), but the hire was on \(hire.date): six months are reached on \(Retention.sixMonths(after: hire.date)); check the date"
            } else {
                message = "retained at six months on \(event.date), but the candidate has no hire before it; check the candidate's id or add the hire"
            }
            rejects.append(Reject(location: event.location, field: "date", value: event.date.description, reason: reason, message: message))
        }
    }

    /// Orders the sources' summaries as the pipeline file does and checks every record is accounted for.
    private mutating func finish(summaries: [String: SourceSummary], infos: [String: [InputFileInfo]]) {
        sources = config.sources.enumerated().compactMap { i, source in
            guard var summary = summaries[source.name] else { return nil }
            summary.tally = tallies[i]
            summary.rejectReasons = rejects.countsBySource[source.name] ?? [:]
            // Every physical record is accounted for, whatever happened to it.
            precondition(summary.tally.reconciles, "source \(source.name): read ≠ accepted + rejected + duplicates")
            return summary
        }
        inputs = config.sources.flatMap { infos[$0.name] ?? [] }
    }

    private mutating func widen(_ date: CalendarDate) {
        if dateRange.first.map({ date < $0 }) ?? true { dateRange.first = date }
        if dateRange.last.map({ date > $0 }) ?? true { dateRange.last = date }
    }

    /// Counts a physical record as read, then de-duplicates and links it.
    mutating func count(_ record: MappedRecord, source: Int) throws {
        tallies[source].read += 1
        unreported += 1
        if unreported == 4_096 {
            ReadProgress.shared.add(records: unreported)
            unreported = 0
        }
        try accept(record, source: source)
    }

    /// Classifies the queued attendance lines (first listing, duplicate or conflict), counts them and
    /// reports the conflicts in reading order, after the other rejects.
    private mutating func resolveAttendance() throws {
        var conflicts: [(seq: UInt64, reject: Reject)] = []
        var links = self.links
        let respondents = perception.respondents
        var attended = RespondentAttendance(respondents: respondents)
        let entries = reach.entries, types = reach.types, linking = needsLinks
        let surveyed = config.sources.contains { $0.kind == .responses }
        let clock = ContinuousClock.now, lines = reach.pendingCount, runs = reach.spilledRuns
        defer {
            timings.append(StageTiming(stage: "resolve", source: "attendance", seconds: (ContinuousClock.now - clock).seconds,
                                       records: lines, spilledRuns: runs))
        }
        let counts = try reach.resolve(conflict: { line in
            conflicts.append((line.seq, Reject(location: line.location, field: "stakeholder_type", value: types[line.type],
                                               reason: .duplicateConflict,
                                               message: "this person is already listed at action '\(entries[line.entry].record.id)' as '\(line.listedAs ?? "")'")))
        }, added: linking || surveyed ? { line in
            let entry = entries[line.entry]
            if linking { links.addAttendance(person: line.person, organisation: line.organisation, date: entry.record.date) }
            if attended.wanted(line.person) {
                attended.add(person: line.person, .init(period: entry.period, territory: entry.record.territory, stakeholderType: types[line.type],
                                                        actionType: entry.record.actionType, action: line.entry))
            }
        } : nil, addedOnly: linking ? nil : respondents)
        for (source, c) in counts {
            tallies[source].accepted += c.added
            tallies[source].duplicates += c.duplicates
            tallies[source].rejected += c.conflicts
        }
        self.links = links
        respondentAttendance = attended
        conflicts.sort { $0.seq < $1.seq }
        for conflict in conflicts { rejects.append(conflict.reject) }
    }

    /// De-duplicates and links one mapped record, counting what became of it.
    private mutating func accept(_ record: MappedRecord, source: Int) throws {
        switch record {
        case .action(let a): widen(a.date)
        case .response(let r): widen(r.date)
        case .pathway(let e): widen(e.date)
        default: break
        }
        var tally = tallies[source]
        defer { tallies[source] = tally }
        switch record {
        case .duplicate:
            tally.duplicates += 1
        case .pathway(let event):
            if hiring.add(event) { tally.accepted += 1 } else { tally.duplicates += 1 }
        case .response(let response):
            tally.accepted += 1
            if let dropped = perception.add(response, source: source) {
                // The earlier answer of the same respondent and wave gives way (it may be another source's).
                if dropped == source {
                    tally.accepted -= 1
                    tally.duplicates += 1
                } else {
                    tallies[dropped].accepted -= 1
                    tallies[dropped].duplicates += 1
                }
            }
        case .rejected(let faults, let actionID):
            tally.rejected += 1
            faults.forEach(rejects.append)
            if let actionID, let first = faults.first, rejectedActions[Fold.key(actionID)] == nil {
                rejectedActions[Fold.key(actionID)] = first
            }
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
                if needsLinks { links.addAction(id: action.id, date: action.date) }
                tally.accepted += 1
            }
        case .attendance(let line):
            guard let entry = actionEntry(line.actionID) else {
                tally.rejected += 1
                if let cause = rejectedActions[Fold.key(line.actionID)] {
                    let field = cause.field.isEmpty ? "" : ", \(cause.field)"
                    rejects.append(Reject(location: line.location, field: "action_id", value: line.actionID, reason: .actionRejected,
                                          message: "action '\(line.actionID)' was rejected: \(cause.location.source) \(cause.location.recordLabel)\(field): \(cause.reason.rawValue); fix that record and its attendance lines count"))
                } else {
                    rejects.append(Reject(location: line.location, field: "action_id", value: line.actionID, reason: .unknownAction,
                                          message: "no action '\(line.actionID)' in the actions sources; check the id or add the action"))
                }
                return
            }
            // Counted as accepted, duplicate or rejected once every line is in (resolveAttendance).
            try reach.add(line, at: entry, source: source)
        }
    }

    // The aggregates (persons per action, answers awaiting their pair, pathways) are dropped once
    // their indicators are computed: at 1 GB of inputs they are most of the memory.

    /// Drops the persons listed per action.
    mutating func releaseReach() {
        reach = ReachState(scheme: config.periods)
        entryCache = PrehashedMap(capacity: 16)
        lastAction = nil
    }

    /// Drops the answers kept for pairing.
    mutating func releasePerception() {
        perception = PerceptionState(questionnaire: config.questionnaire, scheme: config.periods)
        respondentAttendance = RespondentAttendance(respondents: [])
    }

    /// Drops the pathway events and their links to actions.
    mutating func releaseHiring() {
        hiring = HiringState()
        links = ActionLinks()
    }

    /// The action an attendance line names; raw ids repeat, so their folding is cached. Attendance
    /// sheets list a session's persons together: the previous line's action is tried first (a probe
    /// of the cache is a cache miss per line once there are thousands of actions).
    private mutating func actionEntry(_ id: String) -> Int? {
        if let last = lastAction, last.id == id { return last.entry }
        let hash = StableHash.fnv1a(id)
        if let hit = entryCache[hash], hit.id == id {
            lastAction = hit
            return hit.entry
        }
        let found = reach.entryIndex(forID: id)
        if entryCache.count < 1_000_000 { entryCache[hash] = (id, found) }
        lastAction = (id, found)
        return found
    }

    /// Whether a folded word is one of the names read (for `PersonalData.render`).
    func isName(_ word: String) -> Bool { names.contains(key.hash(word)) }

    /// A path relative to the pipeline file's folder, whatever the working directory.
    func displayPath(_ file: String) -> String { PipelineLoader.relative(file, from: config.baseDirectory) }
}

/// How long one stage took, with what it processed.
public struct StageTiming: Sendable {
    public let stage: String
    public let source: String?
    public let seconds: Double
    public var bytes = 0
    public var records = 0
    public var format: String?
    /// Sorted runs written to disk during the stage (attendance lines beyond the in-memory buffer).
    public var spilledRuns = 0
    /// The process's peak resident memory when the stage ended (bytes; 0 where unknown).
    public var peakRSS = ProcessMemory.peakResidentBytes()
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
