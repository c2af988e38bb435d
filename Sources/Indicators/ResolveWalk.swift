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
    /// Organisations of listed persons by cell, then type index.
    var organisations: [[PrehashedSet]]
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
        organisations = Array(repeating: [], count: periods.count)
        perOrganisation = Array(repeating: PrehashedMap(), count: periodCount)
    }

    /// Walks every line of `cursor`: a person's first line at an action is a participation (handed
    /// to `added` when given, and recorded in `attended` for a respondent), a later one a duplicate,
    /// or a conflict (handed to `conflict` with the type first listed).
    ///
    /// One loop, no closure per line but `added` when given (linking persons to the hiring log):
    /// captured variables cost exclusivity checks.
    mutating func walk(_ cursor: inout ParticipationCursor, conflict: (Participation, _ firstType: Int) -> Void,
                       added: ((Participation) -> Void)?) throws {
        let typeCount = slots - 1, periodBase = periods.count
        var scopes: [Int] = []  // the current person's (scope × type) slots, repeated
        var organisationPairs: [(period: Int, organisation: UInt64)] = []  // the current person's, repeated
        var person: UInt64 = 0, entry = UInt32.max, firstType = 0, started = false
        while true {
            let next = try cursor.next()
            if next == nil || next?.person != person || !started {
                scopes.sort()
                var last = -1
                for s in scopes where s != last {
                    distinct[s] += 1
                    last = s
                }
                scopes.removeAll(keepingCapacity: true)
                if !organisationPairs.isEmpty {
                    // Most people come to one or two actions: sort only when there is something to de-duplicate.
                    if organisationPairs.count > 1 { organisationPairs.sort { ($0.period, $0.organisation) < ($1.period, $1.organisation) } }
                    for (i, pair) in organisationPairs.enumerated() where i == 0 || pair != organisationPairs[i - 1] {
                        perOrganisation[pair.period][pair.organisation] = (perOrganisation[pair.period][pair.organisation] ?? 0) + 1
                    }
                    organisationPairs.removeAll(keepingCapacity: true)
                }
            }
            guard let p = next else { break }
            if !started || p.person != person {
                started = true
                person = p.person
                entry = UInt32.max
            }
            let type = Int(p.type)
            if p.entry != entry {
                entry = p.entry
                firstType = type
                let e = Int(p.entry), cell = entryCells[e]
                listed[e * typeCount + type] += 1
                let periodScope = periodBase + periods[cell]
                scopes.append(cell * slots + type)
                scopes.append(cell * slots + slots - 1)
                scopes.append(periodScope * slots + type)
                scopes.append(periodScope * slots + slots - 1)
                if p.hasOrganisation {
                    while organisations[cell].count <= type { organisations[cell].append(PrehashedSet()) }
                    organisations[cell][type].insert(p.organisation)
                    organisationPairs.append((periods[cell], p.organisation))
                }
                counts[p.place].added += 1
                if let added { added(p) }
                if attended?.wanted(p.person) == true {
                    let entry = entries[e]
                    attended?.add(person: p.person, .init(period: entry.period, territory: entry.record.territory, stakeholderType: types[type],
                                                          actionType: entry.record.actionType, action: e))
                }
            } else if RecordRules.laterListing(type, firstListedAs: firstType) == .duplicate {
                counts[p.place].duplicates += 1
            } else {
                counts[p.place].conflicts += 1
                conflict(p, firstType)
            }
        }
    }

    /// Adds `other`'s organisations (by cell, then type) to `organisations`.
    static func unite(_ organisations: inout [[PrehashedSet]], _ other: [[PrehashedSet]]) {
        for (cell, byType) in other.enumerated() {
            if organisations[cell].isEmpty {  // taken as they are, not copied
                organisations[cell] = byType
                continue
            }
            for (type, set) in byType.enumerated() {
                while organisations[cell].count <= type { organisations[cell].append(PrehashedSet()) }
                organisations[cell][type].formUnion(set)
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
        Self.unite(&organisations, other.organisations)
        if let theirs = other.attended { attended?.merge(theirs) }
        for (period, map) in other.perOrganisation.enumerated() {
            map.forEach { key, n in perOrganisation[period][key] = (perOrganisation[period][key] ?? 0) + n }
        }
    }
}
