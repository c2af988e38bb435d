import Foundation
import Ingest
import IngestXML
import Indicators
import InputFiles
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
    var names = Set<UInt64>()
    /// The programme secret the pseudonyms are made with.
    let key: PseudonymKey
    /// Organisations named on attendance sheets, by folded-name key.
    var organisationNames: [UInt64: String] = [:]
    /// What became of every source's records, by index in the pipeline file.
    var tallies: [SourceTally]
    let rejects: RejectLog
    private(set) var sources: [SourceSummary] = []
    private(set) var inputs: [InputFileInfo] = []
    /// Wall time per source read (for `--log-format json` and the benchmark's per-stage figures).
    var timings: [StageTiming] = []
    /// Rejected actions by key (`RecordRules.actionKey`), with their first reject: their attendance lines say so.
    private var rejectedActions: [String: Reject] = [:]
    /// Persons listed at actions that were not read (unknown or rejected), with the type first listed:
    /// lines are de-duplicated before they are linked (`RecordRules`).
    private var unlinkedListings: [UnlinkedListing: String] = [:]
    /// The most bytes of survey and hiring-log files a run from the files reads on another core
    /// (`goesBeside`); beyond, every source is read in turn.
    var besideLimit = Ingestion.besideByteLimit
    /// Records read since the terminal's progress was last told (told in batches: an atomic add per record is not free).
    var unreported = 0

    init(config: PipelineConfig, rejects: RejectLog, key: PseudonymKey) {
        self.config = config
        self.key = key
        self.rejects = rejects
        reach = ReachState(scheme: config.periods)
        perception = PerceptionState(questionnaire: config.questionnaire, scheme: config.periods)
        needsLinks = config.sources.contains { $0.kind == .pathway }
        tallies = Array(repeating: SourceTally(), count: config.sources.count)
    }

    /// Reads every source's files (`impact run`); `state`, when given, receives every file and record as read.
    mutating func run(progress: (String) -> Void, state: StateSink? = nil) throws {
        try ingest(.files(state: state), progress: progress)
    }

    /// Replays the store's records of `files` (in order) through the same stages as a full read (`impact refresh`).
    mutating func replay(_ store: StoreTransaction, files: [StoredFile], progress: (String) -> Void) throws {
        try ingest(.stores([(store, files)]), progress: progress)
    }

    /// Replays several stores (partitions' states), source by source, each store's files in the order given (`impact merge`).
    mutating func replay(_ stores: [(StoreTransaction, [StoredFile])], progress: (String) -> Void) throws {
        try ingest(.stores(stores), progress: progress)
    }

    /// Reads every source from `feed` — actions first (attendance lines link to them), then the others
    /// in pipeline order — then runs the stages that need every record: impossible retentions rejected,
    /// attendance lines resolved, every record accounted for.
    mutating func ingest(_ feed: RecordFeed, progress: (String) -> Void) throws {
        var summaries: [String: SourceSummary] = [:]
        var infos: [String: [InputFileInfo]] = [:]
        let indexed = Array(config.sources.enumerated())
        let order = indexed.filter({ $0.element.kind == .actions }) + indexed.filter({ $0.element.kind != .actions })
        // Surveys and hiring logs are read on another core meanwhile (IngestionBeside.swift); not
        // when replaying a store, writing a state (one transaction), or on one core.
        var besideSources: [(offset: Int, element: SourceConfig)] = []
        if case .files(state: nil) = feed, Cores.available > 1 { besideSources = order.filter { Self.goesBeside($0.element.kind) } }
        // Their aggregates then grow while the attendance is read: only small enough files, so the peak stays flat.
        if besideSources.reduce(0, { $0 + Self.bytes(of: $1.element.files) }) > besideLimit { besideSources = [] }
        if besideSources.count > 0 { XMLSplitReader.prepare() }
        let beside = besideSources.count > 0 && besideSources.count < order.count
            ? try BesideReading(besideSources, config: config, rejects: rejects, key: key) : nil
        for (_, source) in besideSources where beside != nil {
            progress(SourceBatches.reading(source.files.map(displayPath), source: source.name) + ", beside the others")
        }
        var marks: [Int: RejectLog.Mark] = [:]  // where each source read beside comes in the reading order
        do {
            for (index, source) in order {
                if beside != nil, Self.goesBeside(source.kind) {
                    marks[index] = rejects.mark
                    continue
                }
                (summaries[source.name], infos[source.name]) = try readSource(source, index: index, feed: feed, progress: progress)
                reach.releaseSpareBuffers()
            }
        } catch {
            _ = try? beside?.finish()  // its thread stops before the error goes on
            throw error
        }
        if let beside {
            absorb(try beside.finish(), order: order.map(\.offset), marks: marks, summaries: &summaries, infos: &infos)
        }
        rejectImpossibleRetentions()
        try resolveAttendance()
        if case .stores = feed {
            // Records the store did not keep again (held from an earlier refresh, ODK resubmissions) are the duplicates of a full read.
            for (i, tally) in tallies.enumerated() {
                tallies[i].duplicates += max(0, tally.read - tally.accepted - tally.rejected - tally.duplicates)
            }
        }
        finish(summaries: summaries, infos: infos)
    }

    /// Takes back what `side` read: its sources' tallies, summaries, files, stage timings and
    /// rejects, each in its place in `order` (the reading order), and its aggregates, names and dates.
    /// `marks` are this log's marks where each of `side`'s sources came in `order`.
    mutating func absorb(_ side: BesideReading.Outcome, order: [Int], marks: [Int: RejectLog.Mark],
                         summaries: inout [String: SourceSummary], infos: inout [String: [InputFileInfo]]) {
        let ingestion = side.ingestion
        for read in side.read {
            tallies[read.index] = ingestion.tallies[read.index]
            summaries[read.summary.name] = read.summary
            infos[read.summary.name] = read.files
        }
        rejects.merge(ingestion.rejects, cuts: side.read.map { read in
            guard let here = marks[read.index] else { preconditionFailure("no mark for source \(read.index)") }
            return (read.end, here)
        })
        perception = ingestion.perception
        hiring = ingestion.hiring
        names.formUnion(ingestion.names)
        OrganisationNames.merge(&organisationNames, ingestion.organisationNames)
        if let first = ingestion.dateRange.first { widen(first) }
        if let last = ingestion.dateRange.last { widen(last) }
        // One read stage per source, in reading order.
        let names = order.map { config.sources[$0].name }
        let all = timings + ingestion.timings
        timings = names.flatMap { name in all.filter { $0.source == name } }
    }

    /// A source file that could not be read at all: said in the summary and in rejects.csv.
    mutating func noteUnreadable(path: String, message: String, source: String, summary: inout SourceSummary) {
        summary.unreadable.append("\(path): \(message)")
        rejects.append(Reject(location: RecordLocation(source: source, line: 0, path: path), field: "", value: "",
                              reason: .unreadableSource, message: message))
    }

    /// Rejects the "retained at six months" events that cannot be true (too early after the hire, or
    /// without a hire): they were accepted when read, each becomes a rejected record of its source.
    private mutating func rejectImpossibleRetentions() {
        let indexByName = Dictionary(config.sources.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (event, reason, hire) in hiring.removeImpossibleRetentions() {
            // An event's location names the source it was read from, one of the pipeline file's.
            guard let source = indexByName[event.location.source] else { preconditionFailure("event of unknown source \(event.location.source)") }
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

    mutating func widen(_ date: CalendarDate) {
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
        let entries = reach.entries, types = reach.types, linking = needsLinks
        let surveyed = config.sources.contains { $0.kind == .responses }
        let clock = ContinuousClock.now, lines = reach.pendingCount, runs = reach.spilledRuns
        defer {
            timings.append(StageTiming(stage: "resolve", source: "attendance", seconds: (ContinuousClock.now - clock).seconds,
                                       records: lines, spilledRuns: runs))
        }
        // Respondents' listings are recorded by the walk itself (on every core); linking persons to the
        // hiring log needs every first listing, in one walk.
        var respondentsAttended: RespondentAttendance? = surveyed ? RespondentAttendance(respondents: respondents) : nil
        let counts = try reach.resolve(conflict: { line in
            conflicts.append((line.seq, RecordRules.listingConflict(at: line.location, type: types[line.type], action: entries[line.entry].record.id,
                                                                    listedAs: line.listedAs ?? "")))
        }, added: linking ? { line in
            links.addAttendance(person: line.person, organisation: line.organisation, date: entries[line.entry].record.date)
        } : nil, attendance: &respondentsAttended)
        for (source, c) in counts {
            tallies[source].accepted += c.added
            tallies[source].duplicates += c.duplicates
            tallies[source].rejected += c.conflicts
        }
        self.links = links
        respondentAttendance = respondentsAttended ?? RespondentAttendance(respondents: [])
        conflicts.sort { $0.seq < $1.seq }
        for conflict in conflicts { rejects.append(conflict.reject) }
    }

    /// De-duplicates and links one mapped record, counting what became of it (`RecordRules`).
    mutating func accept(_ record: MappedRecord, source: Int) throws {
        if let date = record.date { widen(date) }
        // Counted in a copy, written back once (the array is not touched per field).
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
            if let actionID, let first = faults.first, rejectedActions[RecordRules.actionKey(actionID)] == nil {
                rejectedActions[RecordRules.actionKey(actionID)] = first
            }
        case .action(let action):
            if let kept = reach.action(forID: action.id) {
                if let conflict = RecordRules.secondAction(action, kept: kept) {
                    tally.rejected += 1
                    rejects.append(conflict)
                } else {
                    tally.duplicates += 1
                }
            } else {
                reach.add(action)
                if needsLinks { links.addAction(id: action.id, date: action.date) }
                tally.accepted += 1
            }
        case .attendance(let line):
            // Counted as accepted, duplicate or rejected once every line is in (resolveAttendance).
            if let entry = reach.entryIndex(forLine: line) { try reach.add(line, at: entry, source: source) } else { acceptUnlinked(line, tally: &tally) }
        }
    }

    /// A line naming an action that was not read: the first listing of the person there is rejected
    /// for it; a later line is a duplicate or a conflict, as at any action.
    private mutating func acceptUnlinked(_ line: AttendanceRecord, tally: inout SourceTally) {
        let listing = UnlinkedListing(action: RecordRules.actionKey(line.actionID), person: line.person)
        guard let first = unlinkedListings[listing] else {
            unlinkedListings[listing] = line.stakeholderType
            tally.rejected += 1
            rejects.append(RecordRules.unlinked(line, actionRejected: rejectedActions[listing.action]))
            return
        }
        switch RecordRules.laterListing(line.stakeholderType, firstListedAs: first) {
        case .duplicate:
            tally.duplicates += 1
        case .conflict:
            tally.rejected += 1
            rejects.append(RecordRules.listingConflict(at: line.location, type: line.stakeholderType, action: line.actionID, listedAs: first))
        }
    }

    // The aggregates (persons per action, answers awaiting their pair, pathways) are dropped once
    // their indicators are computed: at 1 GB of inputs they are most of the memory.

    /// Drops the persons listed per action.
    mutating func releaseReach() {
        reach = ReachState(scheme: config.periods)
        unlinkedListings = [:]
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

    /// Whether a folded word is one of the names read (for `PersonalData.render`).
    func isName(_ word: String) -> Bool { names.contains(key.hash(word)) }

    /// A path relative to the pipeline file's folder, whatever the working directory.
    func displayPath(_ file: String) -> String { PipelineLoader.relative(file, from: config.baseDirectory) }
}

/// A person at an action that was not read, by the action's key.
struct UnlinkedListing: Hashable {
    let action: String
    let person: UInt64
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
    /// How the source was read, when it says (partner XML: `2 readers, 120 parts`, or why one reader).
    public var note: String?
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
