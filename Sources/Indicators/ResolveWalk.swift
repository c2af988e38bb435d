import CSystem
import Foundation
import Records

/// One walk over attendance lines sorted by person — all of them, or the persons of one range of
/// hashes — and what it counts. Walks over disjoint sets of persons merge by adding their counts
/// (persons are counted once per scope within a walk) and uniting their organisations, so
/// `ReachState.resolve` can walk ranges of persons on several cores and get what one walk gives.
struct ResolveWalk {
    /// The cell of each action entry, and the period index of each cell.
    let entryCells: [Int]
    let periods: [Int]
    /// Type slots per scope: one per stakeholder type, then "any type".
    let slots: Int
    /// Distinct persons per scope (cells, then periods) × slot.
    var distinct: [Int]
    /// Listed persons per entry × type.
    var listed: [Int]
    /// Lines added, duplicated and in conflict, per place.
    var counts: [ReachState.SourceCounts]
    /// Organisations of listed persons per cell × type index (cell × type count + type).
    var organisations: [PrehashedSet]
    /// Distinct persons per organisation, by period index.
    var perOrganisation: [PrehashedMap<UInt32>]
    /// What survey respondents attended, when asked for (their first listings at each action).
    var attended: RespondentAttendance?
    /// The actions and type ids, to describe a respondent's listing.
    let entries: [ReachState.ActionEntry]
    let types: [String]

    init(entries: [ReachState.ActionEntry], periods: [Int], periodCount: Int, types: [String], places: Int,
         attended: RespondentAttendance?) {
        let entryCells = entries.map(\.cell)
        self.entries = entries
        self.types = types
        self.attended = attended
        self.entryCells = entryCells
        self.periods = periods
        slots = types.count + 1
        distinct = Array(repeating: 0, count: (periods.count + periodCount) * slots)
        listed = Array(repeating: 0, count: entryCells.count * types.count)
        counts = Array(repeating: ReachState.SourceCounts(), count: places)
        organisations = Array(repeating: PrehashedSet(), count: periods.count * types.count)
        perOrganisation = Array(repeating: PrehashedMap(), count: periodCount)
    }

    /// Walks every line of `cursor`: a person's first line at an action is a participation (handed
    /// to `added` when given, and recorded in `attended` for a respondent), a later one a duplicate,
    /// or a conflict (handed to `conflict` with the type first listed).
    ///
    /// Persons are numbered as they come; a scope counts a person when its stamp is not yet that
    /// person's number, so no list of the person's scopes is kept, sorted and cleared. The tallies sit in storage of their own for the walk (no bounds or uniqueness check per
    /// line: the line's indices are checked once). One loop, no closure per line but `added` when
    /// given: captured variables cost exclusivity checks.
    mutating func walk(_ cursor: ParticipationCursor, conflict: (Participation, _ firstType: Int) -> Void,
                       added: ((Participation) -> Void)?) throws {
        let slots = self.slots, typeCount = slots - 1, periodBase = periods.count
        let entryCount = entryCells.count, placeCount = counts.count
        let distinct = Tally(self.distinct), listed = Tally(self.listed), counts = Tally(self.counts)
        let organisations = Tally(self.organisations), stamps = Tally([Int](repeating: 0, count: self.distinct.count))
        let perOrganisation = Tally(self.perOrganisation)
        let entryCells = Tally(self.entryCells), periods = Tally(self.periods)
        defer {
            self.distinct = distinct.release()
            self.listed = listed.release()
            self.counts = counts.release()
            self.organisations = organisations.release()
            self.perOrganisation = perOrganisation.release()
            _ = (stamps.release(), entryCells.release(), periods.release())
        }
        let tracking = attended != nil
        var ordinal = 0  // the current person's number (from 1)
        var organisationPairs = PersonOrganisations()
        var person: UInt64 = 0, entry = UInt32.max, firstType = 0
        defer { organisationPairs.count(in: perOrganisation) }
        // The lines come `Ahead.size` ahead of their turn, each starting to load the tallies it will
        // touch: with thousands of actions and organisations, a look-up per line waited for memory.
        var ahead = Ahead()
        defer { ahead.buffer.deallocate() }
        func pull() throws {
            guard let q = try cursor.next() else { return }
            ahead.push(q)
            let e = Int(q.entry), type = Int(q.type)
            guard e < entryCount, type < typeCount else { return }  // refused in its turn
            impact_prefetch(listed.base.baseAddress.map { $0 + (e * typeCount + type) })
            guard q.hasOrganisation else { return }
            let cell = entryCells[e]
            organisations[cell * typeCount + type].prefetch(q.organisation)
            perOrganisation[periods[cell]].prefetch(q.organisation)
        }
        for _ in 0..<Ahead.size { try pull() }
        while let p = ahead.pop() {
            try pull()
            let type = Int(p.type), place = p.place
            guard Int(p.entry) < entryCount, type < typeCount, place < placeCount else { throw RunCorrupted() }
            if p.person != person || ordinal == 0 {
                organisationPairs.count(in: perOrganisation)
                ordinal += 1
                person = p.person
                entry = UInt32.max
            }
            if p.entry != entry {
                entry = p.entry
                firstType = type
                let e = Int(p.entry), cell = entryCells[e], period = periods[cell]
                listed[e * typeCount + type] += 1
                let periodScope = periodBase + period
                Self.count(cell * slots + type, person: ordinal, stamps: stamps, distinct: distinct)
                Self.count(cell * slots + typeCount, person: ordinal, stamps: stamps, distinct: distinct)
                Self.count(periodScope * slots + type, person: ordinal, stamps: stamps, distinct: distinct)
                Self.count(periodScope * slots + typeCount, person: ordinal, stamps: stamps, distinct: distinct)
                if p.hasOrganisation {
                    organisations[cell * typeCount + type].insert(p.organisation)
                    organisationPairs.append(period: period, organisation: p.organisation)
                }
                counts[place].added += 1
                if let added { added(p) }
                if tracking, attended?.wanted(p.person) == true {
                    let entry = entries[e]
                    attended?.add(person: p.person, .init(period: entry.period, territory: entry.record.territory, stakeholderType: types[type],
                                                          actionType: entry.record.actionType, action: e))
                }
            } else if RecordRules.laterListing(type, firstListedAs: firstType) == .duplicate {
                counts[place].duplicates += 1
            } else {
                counts[place].conflicts += 1
                conflict(p, firstType)
            }
        }
    }

    /// Counts `person` in `scope` unless already counted there.
    @inline(__always)
    private static func count(_ scope: Int, person: Int, stamps: Tally<Int>, distinct: Tally<Int>) {
        if stamps[scope] != person {
            stamps[scope] = person
            distinct[scope] += 1
        }
    }

    /// Adds `other`'s organisations (per cell × type, `typeCount` types) to `organisations` (by cell, then type).
    static func unite(_ organisations: inout [[PrehashedSet]], _ other: [PrehashedSet], typeCount: Int) {
        for cell in organisations.indices {
            for type in 0..<typeCount where other[cell * typeCount + type].count > 0 {
                while organisations[cell].count <= type { organisations[cell].append(PrehashedSet()) }
                organisations[cell][type].formUnion(other[cell * typeCount + type])  // an empty set takes the other's storage
            }
        }
    }

    /// Adds the counts of a walk over other persons.
    mutating func merge(_ other: ResolveWalk) {
        for i in distinct.indices { distinct[i] += other.distinct[i] }
        for i in listed.indices { listed[i] += other.listed[i] }
        for i in counts.indices {
            counts[i].added += other.counts[i].added
            counts[i].duplicates += other.counts[i].duplicates
            counts[i].conflicts += other.counts[i].conflicts
        }
        for i in organisations.indices { organisations[i].formUnion(other.organisations[i]) }
        if let theirs = other.attended { attended?.merge(theirs) }
        for (period, map) in other.perOrganisation.enumerated() {
            map.forEach { key, n in perOrganisation[period][key] = (perOrganisation[period][key] ?? 0) + n }
        }
    }
}

/// The lines read ahead of the walk (a ring of `size`).
private struct Ahead {
    static let size = 16
    let buffer = UnsafeMutablePointer<Participation>.allocate(capacity: size)
    var head = 0, count = 0

    mutating func push(_ p: Participation) {
        (buffer + ((head + count) & (Self.size - 1))).initialize(to: p)
        count += 1
    }

    mutating func pop() -> Participation? {
        guard count > 0 else { return nil }
        defer {
            head = (head + 1) & (Self.size - 1)
            count -= 1
        }
        return buffer[head]
    }
}

/// The (period, organisation) pairs of a person's participations, each counted once when the person ends.
private struct PersonOrganisations {
    private var pairs: [(period: Int, organisation: UInt64)] = []
    /// Pairs of the current person: the first `count` of `pairs` (the array is reused, not cleared).
    private var count = 0

    mutating func append(period: Int, organisation: UInt64) {
        if count < pairs.count { pairs[count] = (period, organisation) } else { pairs.append((period, organisation)) }
        count += 1
    }

    /// Adds the person to each of its organisations' counts, once per period, and starts over.
    mutating func count(in perOrganisation: Tally<PrehashedMap<UInt32>>) {
        guard count > 0 else { return }
        // Most people come to one or two actions: sort only when there is something to de-duplicate.
        if count > 1 {
            let n = count  // sorted in place: sorting `pairs[..<count]` copied the slice
            pairs.withUnsafeMutableBufferPointer { all in
                var person = UnsafeMutableBufferPointer(rebasing: all[..<n])
                person.sort { ($0.period, $0.organisation) < ($1.period, $1.organisation) }
            }
        }
        for i in 0..<count where i == 0 || pairs[i] != pairs[i - 1] {
            perOrganisation[pairs[i].period].modify(pairs[i].organisation, default: 0) { $0 += 1 }
        }
        count = 0
    }
}

/// An array's elements in storage of their own while a walk updates them line by line, given back
/// as an array by `release()`.
private struct Tally<Element> {
    let base: UnsafeMutableBufferPointer<Element>

    init(_ array: [Element]) {
        base = .allocate(capacity: array.count)
        _ = base.initialize(from: array)
    }

    /// Element `i`: below the array's count (the walk checks a line's indices before using them).
    subscript(_ i: Int) -> Element {
        @inline(__always) get { base[i] }
        @inline(__always) nonmutating _modify { yield &base[i] }
    }

    func release() -> [Element] {
        defer {
            base.deinitialize()
            base.deallocate()
        }
        return Array(base)
    }
}

/// A temporary run holds a line that names no action, type or place of this run: the file was changed while it ran.
struct RunCorrupted: ImpactError {
    var description: String {
        "a temporary file of sorted attendance lines was changed while the run read it back; run again, with TMPDIR set to a folder no other process writes in"
    }
}
