import Testing
import TestSupport
@testable import Indicators
@testable import Records

@Suite("Reach indicators and small-cell protection")
struct ReachTests {
    static func action(_ id: String, _ territory: String, _ type: String = "zi_tour", counts: [String: Int] = [:]) -> ActionRecord {
        ActionRecord(id: id, date: CalendarDate(year: 2025, month: 3, day: 1)!, territory: territory, actionType: type,
                     organiser: nil, durationHours: nil, declaredCounts: counts, location: RecordLocation(source: "t", line: 1))
    }

    static func line(_ action: String, _ person: String, _ type: String, org: String? = nil) -> AttendanceRecord {
        AttendanceRecord(actionID: action, person: StableHash.fnv1a(person), stakeholderType: type,
                         organisation: org.map(StableHash.fnv1a), location: RecordLocation(source: "t", line: 1))
    }

    /// Lists a line at its action, as the ingest stage does.
    static func attend(_ state: inout ReachState, _ line: AttendanceRecord) throws {
        guard let entry = state.entryIndex(forID: line.actionID) else { Issue.record("no action \(line.actionID)"); return }
        try state.add(line, at: entry)
    }

    /// Resolves the queued lines; what became of each, in reading order.
    enum Listing: Equatable { case added, duplicate, conflict(listedAs: String) }

    /// (Lines neither added nor in conflict are the duplicates; the per-source counts must agree.)
    static func resolve(_ state: inout ReachState) throws -> [Listing] {
        var outcomes = [Listing](repeating: .duplicate, count: state.pendingCount)
        let counts = try state.resolve(conflict: { outcomes[Int($0.seq)] = .conflict(listedAs: $0.listedAs ?? "") },
                                       added: { outcomes[Int($0.seq)] = .added })
        let total = counts.values.reduce(ReachState.SourceCounts()) {
            ReachState.SourceCounts(added: $0.added + $1.added, duplicates: $0.duplicates + $1.duplicates, conflicts: $0.conflicts + $1.conflicts)
        }
        #expect(total.added == outcomes.filter { $0 == .added }.count)
        #expect(total.duplicates == outcomes.filter { $0 == .duplicate }.count)
        #expect(total.added + total.duplicates + total.conflicts == outcomes.count)
        return outcomes
    }

    func value(_ rows: [IndicatorRow], _ indicator: String, _ territory: String, _ type: String,
               dimension: String = "", category: String = "") -> Double? {
        rows.first {
            $0.indicator.id == indicator && $0.territory == territory && $0.stakeholderType == type
                && $0.dimension == dimension && $0.category == category
        }?.value
    }

    /// Hand-computed: A1 (lyon, zi_tour) with p1, p2 (industriel, same firm) and p3 (prescripteur);
    /// A2 (lyon, vis_ma_vie) with p1 again; A3 (stetienne, video) with declared counts only.
    @Test func handComputedReach() throws {
        var state = ReachState(scheme: .calendarYear)
        state.add(Self.action("A1", "lyon"))
        state.add(Self.action("A2", "lyon", "vis_ma_vie"))
        state.add(Self.action("A3", "stetienne", "video", counts: ["candidat": 12, "prescripteur": 2]))
        try Self.attend(&state, Self.line("A1", "p1", "industriel", org: "Forges"))
        try Self.attend(&state, Self.line("A1", "p2", "industriel", org: "Forges"))
        try Self.attend(&state, Self.line("A1", "p3", "prescripteur", org: "France Travail"))
        try Self.attend(&state, Self.line("A2", "p1", "industriel", org: "Forges"))
        #expect(try Self.resolve(&state) == [.added, .added, .added, .added])
        let rows = ReachIndicators.compute(state, stakeholderTypes: ["industriel", "prescripteur", "candidat"])
        #expect(value(rows, "actions", "lyon", rollUp) == 2)
        #expect(value(rows, "actions", "lyon", "industriel") == 2)
        #expect(value(rows, "actions", "lyon", "prescripteur") == 1)
        #expect(value(rows, "participations", "lyon", rollUp) == 4)
        #expect(value(rows, "participants", "lyon", rollUp) == 3)
        #expect(value(rows, "participants", "lyon", "industriel") == 2)
        #expect(value(rows, "organisations", "lyon", rollUp) == 2)
        #expect(value(rows, "organisations", "lyon", "industriel") == 1)
        #expect(value(rows, "participants", "stetienne", rollUp) == 14)
        #expect(value(rows, "participants", rollUp, rollUp) == 17)
        #expect(value(rows, "actions", rollUp, "candidat") == 1)
        #expect(value(rows, "actions", "lyon", rollUp, dimension: "action_type", category: "vis_ma_vie") == 1)
        #expect(value(rows, "actions", "lyon", "prescripteur", dimension: "action_type", category: "vis_ma_vie") == nil)
    }

    @Test func duplicatesAndConflictsAtOneAction() throws {
        var state = ReachState(scheme: .calendarYear)
        state.add(Self.action("A1", "lyon"))
        state.add(Self.action("A2", "lyon"))
        let entry = try #require(state.entryIndex(forID: " a1 "))  // ids match without regard to case and spacing
        let other = try #require(state.entryIndex(forID: "A2"))
        // p2 is read first as a conflict-to-be: the first line of a person at an action decides the type.
        try state.add(Self.line("A1", "p2", "prescripteur"), at: entry)
        try state.add(Self.line("A1", "p1", "industriel"), at: entry)
        try state.add(Self.line("A1", "p1", "industriel"), at: entry)
        try state.add(Self.line("A1", "p1", "prescripteur"), at: entry)
        try state.add(Self.line("A2", "p1", "prescripteur"), at: other)  // another action: no conflict
        try state.add(Self.line("A1", "p2", "industriel"), at: entry)
        #expect(try Self.resolve(&state) == [.added, .added, .duplicate, .conflict(listedAs: "industriel"), .added,
                                             .conflict(listedAs: "prescripteur")])
        let rows = ReachIndicators.compute(state, stakeholderTypes: ["industriel", "prescripteur"])
        #expect(value(rows, "participations", "lyon", rollUp) == 3)
        #expect(value(rows, "participants", "lyon", rollUp) == 2)
        #expect(value(rows, "participants", "lyon", "prescripteur") == 2)
        #expect(value(rows, "participants", "lyon", "industriel") == 1)
    }

    /// Lines sorted on disk in many small runs give the same outcomes and figures as all in memory.
    @Test func spilledRunsEqualMemory() throws {
        func fill(_ state: inout ReachState) throws {
            for i in 0..<20 { state.add(Self.action("A\(i)", i % 3 == 0 ? "lyon" : "stetienne")) }
            for j in 0..<2_000 {
                let l = Self.line("A\(j % 20)", "p\((j * 7) % 97)", (j / 20) % 5 == 0 ? "industriel" : "prescripteur", org: "o\(j % 11)")
                try Self.attend(&state, l)
            }
        }
        var memory = ReachState(scheme: .calendarYear)
        var disk = ReachState(scheme: .calendarYear, bufferLimit: 37)
        try fill(&memory)
        try fill(&disk)
        #expect(MemoryLayout<Participation>.stride == 40)  // the bytes per line the spill sizes assume
        #expect(memory.spilledRuns == 0)
        #expect(disk.spilledRuns == 2_000 / 37)
        let outcomes = try Self.resolve(&memory)
        #expect(try Self.resolve(&disk) == outcomes)
        #expect(outcomes.contains(.duplicate) && outcomes.contains { if case .conflict = $0 { true } else { false } })
        #expect(disk.pendingCount == 0)
        let types = ["industriel", "prescripteur"]
        let whole = ReachIndicators.compute(memory, stakeholderTypes: types).sortedByKey()
        #expect(ReachIndicators.compute(disk, stakeholderTypes: types).sortedByKey() == whole)
        // Independent count: distinct persons of Lyon's actions (A0, A3, …), any type, first type kept.
        var firstType: [String: String] = [:]  // "action person" → type
        var lyon = Set<String>()
        for j in 0..<2_000 where (j % 20) % 3 == 0 {
            let key = "\(j % 20) \((j * 7) % 97)"
            if firstType[key] == nil { firstType[key] = (j / 20) % 5 == 0 ? "industriel" : "prescripteur" }
            lyon.insert("\((j * 7) % 97)")
        }
        #expect(value(whole, "participants", "lyon", rollUp) == Double(lyon.count))
        #expect(value(whole, "participations", "lyon", rollUp) == Double(firstType.count))
        #expect(value(whole, "participations", "lyon", "industriel") == Double(firstType.values.filter { $0 == "industriel" }.count))
    }

    /// Walking ranges of persons on several threads gives what one walk gives: every count, every
    /// organisation and distinct person, what respondents attended, and the conflicts in the same
    /// order — from runs on disk and from memory, with more parts than persons.
    @Test(arguments: [97, 100_000]) func partsEqualOneWalk(bufferLimit: Int) throws {
        func fill(_ state: inout ReachState) throws {
            for i in 0..<30 { state.add(Self.action("A\(i)", ["lyon", "stetienne", "roanne"][i % 3])) }
            for j in 0..<3_000 {
                let type = (j / 20) % 5 == 0 ? "industriel" : (j % 7 == 0 ? "prescripteur" : "candidat")
                try Self.attend(&state, Self.line("A\(j % 30)", "p\(j % 41)", type, org: j % 9 == 0 ? nil : "o\(j % 53)"))
            }
        }
        var reference: (events: [String], counts: [Int: ReachState.SourceCounts], rows: [IndicatorRow], organisations: [String: [UInt64: UInt32]],
                        attended: [UInt64: [RespondentAttendance.Attended]])?
        for parts in [1, 2, 3, 8, 700] {
            var state = ReachState(scheme: .calendarYear, bufferLimit: bufferLimit)
            try fill(&state)
            var events: [String] = []
            let respondents = Set((0..<41).filter { $0 % 3 == 0 }.map { StableHash.fnv1a("p\($0)") })
            var attendance: RespondentAttendance? = RespondentAttendance(respondents: respondents)
            let counts = try state.resolve(conflict: { events.append("c\($0.seq) \($0.listedAs ?? "") \($0.location.line)") },
                                           added: nil, attendance: &attendance, parts: parts)
            let attended = try #require(attendance).byPerson
            var organisations: [String: [UInt64: UInt32]] = [:]
            for (period, map) in state.peoplePerOrganisation { map.forEach { organisations[period, default: [:]][$0] = $1 } }
            let rows = ReachIndicators.compute(state, stakeholderTypes: ["industriel", "prescripteur", "candidat"]).sortedByKey()
            #expect(!events.isEmpty && attended.count == respondents.count)
            if let reference {
                #expect(events.count == reference.events.count, "parts \(parts)")
                #expect(events.indices.first { $0 < reference.events.count && events[$0] != reference.events[$0] } == nil, "parts \(parts)")
                #expect(counts == reference.counts, "parts \(parts)")
                #expect(rows == reference.rows, "parts \(parts)")
                #expect(organisations == reference.organisations, "parts \(parts)")
                #expect(attended == reference.attended, "parts \(parts)")
            } else {
                reference = (events, counts, rows, organisations, attended)
            }
        }
    }

    /// Lines from more than 65,536 places (ODK instances, one file each) keep their own location: a
    /// conflict on the last line names its file, not the one 65,536 places before (the place index was
    /// truncated to 16 bits), and adding them takes no scan over the places seen.
    @Test(.timeLimit(.minutes(1))) func manyPlacesKeepTheirLocations() throws {
        var state = ReachState(scheme: .calendarYear)
        state.add(Self.action("A1", "lyon"))
        let files = 66_000
        for i in 0..<files {
            let path = "instances/\(i).xml"
            // The last line lists p0 again with another type: a conflict, located at its own file.
            let person = i == files - 1 ? "p0" : "p\(i)"
            let type = i == files - 1 ? "prescripteur" : "industriel"
            let line = AttendanceRecord(actionID: "A1", person: StableHash.fnv1a(person), stakeholderType: type, organisation: nil,
                                        location: RecordLocation(source: "odk", line: 3, path: path))
            try Self.attend(&state, line)
        }
        var conflicts: [RecordLocation] = []
        var added: [Int: RecordLocation] = [:]
        _ = try state.resolve(conflict: { conflicts.append($0.location) }, added: { added[Int($0.seq)] = $0.location })
        #expect(conflicts == [RecordLocation(source: "odk", line: 3, path: "instances/\(files - 1).xml")])
        #expect(added[65_536]?.path == "instances/65536.xml")
        #expect(added.count == files - 1)
    }

    /// A temporary folder that cannot be made stops the run with the system's reason and what to do.
    @Test func spillFailureSaysWhereAndWhy() throws {
        var state = ReachState(scheme: .calendarYear, bufferLimit: 10, temporaryBase: "/nonexistent/impact")
        state.add(Self.action("A1", "lyon"))
        let error = #expect(throws: SpillError.self) {
            for j in 0..<25 { try Self.attend(&state, Self.line("A1", "p\(j)", "industriel")) }
        }
        #expect(error?.description.contains("could not create a folder in /nonexistent/impact") == true)
        #expect(error?.description.contains("No such file or directory; set TMPDIR") == true)
    }

    static func table(_ cells: [(String, String, Double)]) -> [IndicatorRow] {
        cells.map { IndicatorRow(indicator: .participants, period: "2025", territory: $0.0, stakeholderType: $0.1, value: $0.2, n: Int($0.2)) }
    }

    /// No hidden cell can be recovered from its row or column total and the published parts.
    @Test func complementarySuppressionLeavesNothingRecoverable() {
        let rows = Self.table([
            ("lyon", "industriel", 3), ("lyon", "prescripteur", 40), ("lyon", "candidat", 12), ("lyon", rollUp, 55),
            ("ste", "industriel", 20), ("ste", "prescripteur", 30), ("ste", "candidat", 9), ("ste", rollUp, 59),
            (rollUp, "industriel", 23), (rollUp, "prescripteur", 70), (rollUp, "candidat", 21), (rollUp, rollUp, 114),
        ])
        let protected = SmallCellProtection.protect(rows, k: 5, personBased: { $0 == .participants }, additive: [.participants])
        let hidden = protected.filter { $0.status == .suppressed }
        #expect(hidden.contains { $0.territory == "lyon" && $0.stakeholderType == "industriel" })
        #expect(hidden.count >= 4)
        for row in hidden { #expect(row.value == nil) }
        // Every line (row or column with its total) holds zero or at least two hidden cells.
        for territory in ["lyon", "ste", rollUp] {
            let n = protected.filter { $0.territory == territory && $0.status == .suppressed }.count
            #expect(n == 0 || n >= 2, "row \(territory)")
        }
        for type in ["industriel", "prescripteur", "candidat", rollUp] {
            let n = protected.filter { $0.stakeholderType == type && $0.status == .suppressed }.count
            #expect(n == 0 || n >= 2, "column \(type)")
        }
    }

    @Test func nothingBelowKIsPublished() {
        let rows = Self.table([("lyon", "industriel", 4), ("lyon", rollUp, 4), (rollUp, "industriel", 4), (rollUp, rollUp, 4)])
        let protected = SmallCellProtection.protect(rows, k: 5, personBased: { $0 == .participants }, additive: [.participants])
        #expect(protected.allSatisfy { $0.status == .suppressed && $0.value == nil })
    }

    /// Distinct people per organisation, by hand: p1 at two actions (once per organisation counted),
    /// p1 again under another organisation, a duplicate line; then named only from k people on.
    @Test func organisationsReachedCountedByHandAndProtected() throws {
        var state = ReachState(scheme: .calendarYear)
        state.add(ReachTests.action("A1", "lyon"))
        state.add(ReachTests.action("A2", "lyon"))
        for (action, person, org) in [("A1", "p1", "Forges"), ("A2", "p1", "Forges"), ("A1", "p2", "Forges"), ("A1", "p2", "Forges"),
                                      ("A2", "p3", "France Travail"), ("A2", "p4", "forges ")] {
            try ReachTests.attend(&state, ReachTests.line(action, person, "industriel", org: org))
        }
        _ = try ReachTests.resolve(&state)
        let forges = StableHash.fnv1a("Forges"), ft = StableHash.fnv1a("France Travail"), lower = StableHash.fnv1a("forges ")
        let counted = try #require(state.peoplePerOrganisation["2025"])
        var people: [UInt64: UInt32] = [:]
        counted.forEach { people[$0] = $1 }
        #expect(people == [forges: 2, ft: 1, lower: 1])
        let names = [forges: "Forges", ft: "France Travail", lower: "forges"]
        var forgesOnly = OrganisationsReached(listed: [.init(name: "Forges", people: 2)], unnamed: 2)
        forgesOnly.named = 1
        #expect(OrganisationsReached.protect(counted, names: names, k: 2) == forgesOnly)
        var three = PrehashedMap<UInt32>()
        three[forges] = 3
        three[ft] = 3
        #expect(OrganisationsReached.protect(three, names: names, k: 3).listed.map(\.name) == ["Forges", "France Travail"])
        #expect(OrganisationsReached.protect(three, names: [forges: "Forges"], k: 3).nameless == 1)
    }

    /// The cells are counted on several threads: the rows are those of one loop (in key order: the
    /// periods come in a dictionary's order, which differs from one call to the next), on a state of
    /// 2 periods × 30 territories, listed and head-count actions, several types and firms.
    @Test func cellsCountedOnThreadsGiveTheRowsOfOneLoop() throws {
        var state = ReachState(scheme: .calendarYear)
        var generator = SeededGenerator(seed: 3)
        let types = ["industriel", "prescripteur", "candidat"]
        for a in 0..<600 {
            let counts = a % 7 == 0 ? ["candidat": Int.random(in: 1...9, using: &generator)] : [:]
            state.add(ActionRecord(id: "A\(a)", date: CalendarDate(year: 2024 + a % 2, month: 1 + a % 12, day: 1)!,
                                   territory: "t\(a % 30)", actionType: ["zi_tour", "video", "visite"][a % 3], organiser: nil,
                                   durationHours: nil, declaredCounts: counts, location: RecordLocation(source: "t", line: a + 2)))
            guard counts.isEmpty else { continue }
            for _ in 0..<Int.random(in: 1...12, using: &generator) {
                let person = Int.random(in: 0..<2_000, using: &generator)
                try Self.attend(&state, Self.line("A\(a)", "p\(person)", types[person % 3], org: "firm \(person % 90)"))
            }
        }
        _ = try Self.resolve(&state)
        let whole = ReachIndicators.compute(state, stakeholderTypes: types, parts: 1).sortedByKey()
        #expect(whole.count > 700 && Set(whole.map(\.key)).count == whole.count)
        for parts in [2, 3, 16, 5_000] {
            #expect(ReachIndicators.compute(state, stakeholderTypes: types, parts: parts).sortedByKey() == whole, "split into \(parts)")
        }
    }

    /// The report lists the largest organisations only: that head, with many equal counts and equal
    /// names around the cut, is the head of the whole list sorted; the counts stay those of the whole.
    @Test func organisationsListedAreTheHeadOfTheWholeList() {
        var people = PrehashedMap<UInt32>()
        var names: [UInt64: String] = [:]
        for i in 0..<3_000 {
            let key = StableHash.fnv1a("org \(i)")
            people[key] = UInt32(1 + (i * 7_919) % 23)
            if i % 50 != 0 { names[key] = "Entreprise \(i % 400)" }  // names shared by several organisations; some missing
        }
        let whole = OrganisationsReached.protect(people, names: names, k: 3, render: { $0.uppercased() })
        for shown in [1, 40, 133, 2_999, 5_000] {
            let head = OrganisationsReached.protect(people, names: names, k: 3, shown: shown, render: { $0.uppercased() })
            #expect(head.listed == Array(whole.listed.prefix(shown)), "\(shown) shown")
            #expect((head.named, head.unnamed, head.nameless) == (whole.named, whole.unnamed, whole.nameless))
        }
        #expect(whole.named == whole.listed.count && whole.nameless > 0 && whole.unnamed > 0)
        #expect(whole.listed.allSatisfy { $0.people >= 3 && $0.name.hasPrefix("ENTREPRISE") })
    }
}
