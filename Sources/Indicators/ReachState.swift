import Foundation
import Records

/// Everything the reach indicators need, compact.
///
/// Attendance lines are not classified as they arrive: they wait in `ParticipationRuns` (sorted
/// runs on disk beyond a quarter of a million lines) and `resolve` then walks them person by person:
/// the first line of a person at an action is a participation, a later one a duplicate (same type)
/// or a conflict (another type). Walking by person also gives the distinct-person counts of every
/// cell without a set per cell, so memory does not grow with the number of participations
/// (docs/performance.md).
///
/// A class: the pending lines may sit in files on disk, which a copy could not own. One thread at a
/// time (the aggregating one) uses it.
public final class ReachState {
    /// One action with how many persons of each type attended it.
    public struct ActionEntry: Sendable {
        public let record: ActionRecord
        public let period: String
        /// Index of the action's period × territory cell (see `cells`).
        let cell: Int
        /// Listed persons per stakeholder-type index (see `types`), known once resolved.
        var listedCounts: [Int] = []

        /// True when attendance lists exist: they then take precedence over declared counts.
        public var hasList: Bool { listedCounts.contains { $0 > 0 } }

        /// Persons listed with the type index `type`.
        func listed(_ type: Int) -> Int { Self.listed(listedCounts, type) }

        /// The count for type index `type` in `listedCounts` (0 past the types listed).
        static func listed(_ listedCounts: [Int], _ type: Int) -> Int { type < listedCounts.count ? listedCounts[type] : 0 }
    }

    /// One resolved attendance line, with what the ingest stage needs to count and link it.
    public struct Resolved: Sendable {
        /// For a conflict, the type the person was first listed with at the action; nil for a first listing.
        public let listedAs: String?
        /// The source index given to `add(_:at:source:)`.
        public let source: Int
        /// Reading order (0-based, over every line added).
        public let seq: UInt64
        public let person: UInt64
        public let organisation: UInt64?
        public let entry: Int
        /// The line's stakeholder type, as an index in `types`.
        public let type: Int
        /// Where the line was read.
        public let location: RecordLocation
    }

    public private(set) var entries: [ActionEntry] = []
    private var indexByKey: [String: Int] = [:]
    // Exclusivity unchecked here and on the other properties each attendance line touches: one thread
    // uses the state, and the runtime's checks ran several times per line.
    /// Stakeholder type ids by index.
    @exclusivity(unchecked) public private(set) var types: [String] = []
    /// Period × territory pairs that actions fall in, by index.
    public private(set) var cells: [(period: String, territory: String)] = []
    private var cellIndex: [String: Int] = [:]
    /// Organisations of listed persons per cell, then per stakeholder-type index.
    /// Kept per cell, not per action: only distinct counts per cell are published.
    private(set) var organisationsByCell: [[PrehashedSet]] = []
    /// Distinct persons per organisation (folded-name key) in each period, filled by `resolve`: the
    /// report names the organisations reached, protected like every count of persons.
    /// (4-byte counts, no copy into a `Dictionary`: there are tens of thousands per period.)
    public private(set) var peoplePerOrganisation: [String: PrehashedMap<UInt32>] = [:]
    /// Distinct persons per scope (a cell, or a whole period after the cells) × type index (the
    /// last slot: any type); filled by `resolve`.
    private var distinct: [Int] = []
    private var periodIndex: [String: Int] = [:]
    private var typeSlots = 0
    /// Sources and element paths of pending lines, for the conflicts' locations: a handful, or one per
    /// file for ODK instances.
    @exclusivity(unchecked) private var places: [(source: Int, name: String, path: String?)] = []
    private var placeIndex: [PlaceKey: Int] = [:]
    private let pending: ParticipationRuns
    @exclusivity(unchecked) private var nextSeq: UInt64 = 0
    let scheme: PeriodScheme
    /// Raw action id → action entry (nil: unknown), keyed by the id's FNV hash (checked on a hit).
    @exclusivity(unchecked) private var entryCache = PrehashedMap<(id: String, entry: Int?)>(capacity: 1024)
    @exclusivity(unchecked) private var lastAction: (id: String, entry: Int?)?

    /// `bufferLimit`: attendance lines kept in memory before a sorted run goes to disk, in a folder
    /// made under `temporaryBase` (nil: TMPDIR, else /tmp).
    public init(scheme: PeriodScheme, bufferLimit: Int = 1 << 18, temporaryBase: String? = nil) {
        self.scheme = scheme
        pending = ParticipationRuns(bufferLimit: bufferLimit, temporaryBase: temporaryBase)
    }

    /// Attendance lines added and not yet resolved.
    public var pendingCount: Int { pending.count }
    /// Sorted runs written to disk so far (0 while everything fits in memory).
    public var spilledRuns: Int { pending.runCount }

    /// A source was read to its end: the line buffers kept for the next runs go back to the system
    /// (the next source may bring no attendance line).
    public func releaseSpareBuffers() { pending.releaseSpareBuffers() }

    /// Adds an accepted, de-duplicated action.
    public func add(_ action: ActionRecord) {
        let key = RecordRules.actionKey(action.id)
        guard indexByKey[key] == nil else { return }
        if lastAction != nil { forgetLookUps() }  // an id looked up before may now be known
        let period = scheme.label(for: action.date)
        let cellKey = "\(period)\u{1F}\(action.territory)"
        let cell = cellIndex[cellKey] ?? cells.count
        if cell == cells.count {
            cellIndex[cellKey] = cell
            cells.append((period, action.territory))
            organisationsByCell.append([])
        }
        indexByKey[key] = entries.count
        entries.append(ActionEntry(record: action, period: period, cell: cell))
    }

    /// Organisations listed in a cell for a stakeholder-type index.
    func organisations(cell: Int, type: Int) -> PrehashedSet {
        type < organisationsByCell[cell].count ? organisationsByCell[cell][type] : PrehashedSet()
    }

    /// The index of the action an id refers to (matched folded), if known.
    public func entryIndex(forID id: String) -> Int? { indexByKey[RecordRules.actionKey(id)] }

    /// The action an attendance line names, as `entryIndex(forID:)`. Raw ids repeat, so their
    /// folding is cached; sheets list a session's persons together, so the previous line's action
    /// is tried first (a probe of the cache is a cache miss per line once there are thousands of actions).
    public func entryIndex(forLine line: AttendanceRecord) -> Int? {
        let id = line.actionID, hash = line.actionHash
        if let last = lastAction, last.id == id { return last.entry }
        if let hit = entryCache[hash], hit.id == id {
            lastAction = hit
            return hit.entry
        }
        let found = entryIndex(forID: id)
        if entryCache.count < 1_000_000 { entryCache[hash] = (id, found) }
        lastAction = (id, found)
        return found
    }

    /// Starts loading the look-up cache's slot for an attendance line's `actionHash`, a few lines
    /// before `entryIndex(forLine:)` is asked for it: once there are thousands of actions, the
    /// look-up waited for memory on every line.
    public func prefetch(actionHash: UInt64) {
        entryCache.prefetch(actionHash)
    }

    private func forgetLookUps() {
        entryCache = PrehashedMap(capacity: 1024)
        lastAction = nil
    }

    /// The action an id refers to, if known.
    public func action(forID id: String) -> ActionRecord? { entryIndex(forID: id).map { entries[$0].record } }

    /// Queues an attendance line at the action `entry`; `resolve` says what became of it.
    public func add(_ line: AttendanceRecord, at entry: Int, source: Int = 0) throws {
        let type = index(ofType: line.stakeholderType)
        let location = line.location
        let place = try self.place(source: source, location)
        try pending.append(Participation(person: line.person, seq: nextSeq, organisation: line.organisation ?? 0,
                                         entry: UInt32(truncatingIfNeeded: entry), line: UInt32(clamping: location.line),
                                         index: UInt32(clamping: (location.index ?? -1) + 1), place: place,
                                         type: UInt8(truncatingIfNeeded: type), hasOrganisation: line.organisation != nil))
        nextSeq += 1
    }

    private struct PlaceKey: Hashable {
        let source: Int, name: String, path: String?
    }

    /// The index of the place of a line: lines come file by file, so the last place is tried first
    /// (no string hashed per line); a new one is looked up by hash (one per ODK instance file).
    private func place(source: Int, _ location: RecordLocation) throws -> Int {
        if let last = places.indices.last, places[last].source == source, places[last].name == location.source,
           places[last].path == location.path {
            return last
        }
        let key = PlaceKey(source: source, name: location.source, path: location.path)
        if let known = placeIndex[key] { return known }
        guard places.count < Participation.placeLimit else { throw TooManyPlaces(limit: Participation.placeLimit) }
        placeIndex[key] = places.count
        places.append((source, location.source, location.path))
        return places.count - 1
    }

    /// What became of the lines of one source.
    public struct SourceCounts: Sendable, Equatable {
        public var added = 0
        public var duplicates = 0
        public var conflicts = 0
    }

    /// Classifies every queued line (person by person), counts participations and distinct persons,
    /// and returns the counts per source index. `conflict` receives each conflicting line;
    /// `added`, when given, each first listing (to link persons to actions). Once all lines are in.
    public func resolve(conflict: (Resolved) -> Void, added: ((Resolved) -> Void)? = nil, parts: Int? = nil) throws -> [Int: SourceCounts] {
        var none: RespondentAttendance?
        return try resolve(conflict: conflict, added: added, attendance: &none, parts: parts)
    }

    /// `resolve`, recording in `attendance` (when not nil) what its respondents attended: their first
    /// listing at each action. Without `added`, large inputs are walked as ranges of persons on several
    /// threads (`parts`: how many; chosen from the lines and cores when nil); the conflicts are handed
    /// to `conflict` afterwards, in the order one walk gives (by person hash).
    public func resolve(conflict: (Resolved) -> Void, added: ((Resolved) -> Void)?, attendance: inout RespondentAttendance?,
                        parts: Int? = nil) throws -> [Int: SourceCounts] {
        var periods: [Int] = []  // period index by cell
        for cell in cells {
            let p = periodIndex[cell.period] ?? periodIndex.count
            periodIndex[cell.period] = p
            periods.append(p)
        }
        let typeCount = types.count
        typeSlots = typeCount + 1
        let fresh = ResolveWalk(entries: entries, periods: periods, periodCount: periodIndex.count, types: types,
                                places: places.count, attended: attendance)
        let parts = added == nil ? partCount(parts) : 1  // every line handed on in order: one walk
        let cursors = try pending.sorted(parts: parts)
        var total: ResolveWalk
        if parts == 1 {
            total = fresh
            try total.walk(cursors[0], conflict: { p, first in conflict(resolved(p, listedAs: types[first])) },
                           added: added.map { added in { p in added(self.resolved(p, listedAs: nil)) } })
        } else {
            var walks = try Self.walkInParallel(cursors, fresh)
            total = walks[0].walk
            walks[0].walk = fresh  // one copy of the first part's sets, not two
            for i in walks.indices {
                if i > 0 {
                    total.merge(walks[i].walk)
                    walks[i].walk = fresh  // released as soon as merged
                }
                for (p, first) in walks[i].conflicts { conflict(resolved(p, listedAs: types[first])) }
            }
        }
        attendance = total.attended
        distinct = total.distinct
        let listed = total.listed, counts = total.counts
        ResolveWalk.unite(&organisationsByCell, total.organisations, typeCount: typeCount)
        let perOrganisation = total.perOrganisation
        for e in entries.indices { entries[e].listedCounts = Array(listed[e * typeCount..<(e + 1) * typeCount]) }
        for (period, index) in periodIndex where perOrganisation[index].count > 0 { peoplePerOrganisation[period] = perOrganisation[index] }
        var bySource: [Int: SourceCounts] = [:]
        for (i, place) in places.enumerated() {
            bySource[place.source, default: SourceCounts()].added += counts[i].added
            bySource[place.source, default: SourceCounts()].duplicates += counts[i].duplicates
            bySource[place.source, default: SourceCounts()].conflicts += counts[i].conflicts
        }
        return bySource
    }

    private func resolved(_ p: Participation, listedAs: String?) -> Resolved {
        let place = places[p.place]
        return Resolved(listedAs: listedAs, source: place.source, seq: p.seq, person: p.person,
                        organisation: p.hasOrganisation ? p.organisation : nil,
                        entry: Int(p.entry), type: Int(p.type),
                        location: RecordLocation(source: place.name, line: Int(p.line), path: place.path,
                                                 index: p.index == 0 ? nil : Int(p.index) - 1))
    }

    /// Distinct persons listed in a cell (or, with `period`, in all cells of that period) with the
    /// type index `type` (nil: any type).
    func distinctPersons(cell: Int? = nil, period: String? = nil, type: Int?) -> Int {
        precondition(pending.count == 0, "attendance lines are not resolved yet")
        let scope: Int
        if let cell { scope = cell } else if let period, let p = periodIndex[period] { scope = cells.count + p } else { return 0 }
        let slot = type ?? typeSlots - 1
        let i = scope * typeSlots + slot
        return i < distinct.count ? distinct[i] : 0
    }

    /// Lines per part below which one walk does it all; parts at most (the merge's cost per line grows
    /// only with the number of runs, so more parts than cores gain nothing).
    static let linesPerPart = 1 << 19
    static let maximumParts = 8
    static let maximumOpenRuns = 512

    /// How many ranges of persons to walk: `asked`, or (nil) one per core when there are enough lines
    /// to pay for the threads. Each part opens every run, so at most `maximumOpenRuns` files are open
    /// at once.
    private func partCount(_ asked: Int?) -> Int {
        let automatic = pending.count >= Self.linesPerPart * 2
            ? min(Self.maximumParts, Cores.available, pending.count / Self.linesPerPart) : 1
        return max(1, min(asked ?? automatic, Self.maximumOpenRuns / max(1, pending.runCount)))
    }

    /// What one part's walk counted, with its conflicts (and the type first listed) in order.
    private struct PartWalk: @unchecked Sendable {
        // Unchecked: each part is written by its own thread only, and read once all have finished.
        var walk: ResolveWalk
        var conflicts: [(line: Participation, firstType: Int)] = []
        var error: (any Error)?
    }

    /// The parts' cursors and result slots, shared with the walking threads (each touches its own index).
    private final class PartResults: @unchecked Sendable {
        let results: UnsafeMutableBufferPointer<PartWalk>
        let cursors: [ParticipationCursor]
        init(results: UnsafeMutableBufferPointer<PartWalk>, cursors: [ParticipationCursor]) {
            self.results = results
            self.cursors = cursors
        }
    }

    /// Walks each cursor on its own thread; the parts' results in order (or the first error).
    private static func walkInParallel(_ cursors: [ParticipationCursor], _ fresh: ResolveWalk) throws -> [PartWalk] {
        let results = UnsafeMutableBufferPointer<PartWalk>.allocate(capacity: cursors.count)
        results.initialize(repeating: PartWalk(walk: fresh))
        defer { results.deinitialize(); results.deallocate() }
        let box = PartResults(results: results, cursors: cursors)
        DispatchQueue.concurrentPerform(iterations: cursors.count) { i in
            let cursor = box.cursors[i]
            var walk = box.results[i].walk
            var conflicts: [(line: Participation, firstType: Int)] = []
            var failure: (any Error)?
            do {
                try walk.walk(cursor, conflict: { p, first in conflicts.append((p, first)) }, added: nil)
            } catch {
                failure = error
            }
            box.results[i] = PartWalk(walk: walk, conflicts: conflicts, error: failure)
        }
        if let error = results.lazy.compactMap(\.error).first { throw error }
        return Array(results)
    }

    /// Actions known only by declared counts (no attendance list).
    public var countOnlyActions: Int { entries.filter { !$0.hasList && !$0.record.declaredCounts.isEmpty }.count }

    func index(ofType type: String) -> Int {
        // A handful of types: comparing inline strings beats hashing them.
        if let i = types.firstIndex(of: type) { return i }
        types.append(type)
        return types.count - 1
    }
}

/// More distinct files or element paths in the attendance sources than a pending line can name.
public struct TooManyPlaces: ImpactError {
    public let limit: Int
    public var description: String {
        "the attendance sources come from more than \(limit) files or element paths, more than a run can locate its lines in; gather the instances into fewer files"
    }
}
