import Testing
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
    static func attend(_ state: inout ReachState, _ line: AttendanceRecord) {
        guard let entry = state.entryIndex(forID: line.actionID) else { Issue.record("no action \(line.actionID)"); return }
        _ = state.add(line, at: entry)
    }

    func value(_ rows: [IndicatorRow], _ indicator: String, _ territory: String, _ type: String,
               dimension: String = "", category: String = "") -> Double? {
        rows.first {
            $0.indicator == indicator && $0.territory == territory && $0.stakeholderType == type
                && $0.dimension == dimension && $0.category == category
        }?.value
    }

    /// Hand-computed: A1 (lyon, zi_tour) with p1, p2 (industriel, same firm) and p3 (prescripteur);
    /// A2 (lyon, vis_ma_vie) with p1 again; A3 (stetienne, video) with declared counts only.
    @Test func handComputedReach() {
        var state = ReachState(scheme: .calendarYear)
        state.add(Self.action("A1", "lyon"))
        state.add(Self.action("A2", "lyon", "vis_ma_vie"))
        state.add(Self.action("A3", "stetienne", "video", counts: ["candidat": 12, "prescripteur": 2]))
        Self.attend(&state, Self.line("A1", "p1", "industriel", org: "Forges"))
        Self.attend(&state, Self.line("A1", "p2", "industriel", org: "Forges"))
        Self.attend(&state, Self.line("A1", "p3", "prescripteur", org: "France Travail"))
        Self.attend(&state, Self.line("A2", "p1", "industriel", org: "Forges"))
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
        let entry = try #require(state.entryIndex(forID: " a1 "))  // ids match without regard to case and spacing
        #expect(state.add(Self.line("A1", "p1", "industriel"), at: entry) == .added)
        #expect(state.add(Self.line("A1", "p1", "industriel"), at: entry) == .duplicate)
        #expect(state.add(Self.line("A1", "p1", "prescripteur"), at: entry) == .conflict(listedAs: "industriel"))
    }

    /// Two partitions merged give the same figures as one state fed everything.
    @Test func mergeEqualsWhole() {
        var whole = ReachState(scheme: .calendarYear)
        var left = ReachState(scheme: .calendarYear)
        var right = ReachState(scheme: .calendarYear)
        for i in 0..<20 {
            let a = Self.action("A\(i)", i % 2 == 0 ? "lyon" : "stetienne")
            whole.add(a)
            if i < 10 { left.add(a) } else { right.add(a) }
        }
        for j in 0..<200 {
            let l = Self.line("A\(j % 20)", "p\(j % 37)", j % 3 == 0 ? "industriel" : "prescripteur", org: "o\(j % 11)")
            Self.attend(&whole, l)
            if j % 20 < 10 { Self.attend(&left, l) } else { Self.attend(&right, l) }
        }
        left.merge(right)
        let types = ["industriel", "prescripteur"]
        #expect(ReachIndicators.compute(left, stakeholderTypes: types).sortedByKey() == ReachIndicators.compute(whole, stakeholderTypes: types).sortedByKey())
    }

    static func table(_ cells: [(String, String, Double)]) -> [IndicatorRow] {
        cells.map { IndicatorRow(indicator: "participants", period: "2025", territory: $0.0, stakeholderType: $0.1, value: $0.2, n: Int($0.2)) }
    }

    /// No hidden cell can be recovered from its row or column total and the published parts.
    @Test func complementarySuppressionLeavesNothingRecoverable() {
        let rows = Self.table([
            ("lyon", "industriel", 3), ("lyon", "prescripteur", 40), ("lyon", "candidat", 12), ("lyon", rollUp, 55),
            ("ste", "industriel", 20), ("ste", "prescripteur", 30), ("ste", "candidat", 9), ("ste", rollUp, 59),
            (rollUp, "industriel", 23), (rollUp, "prescripteur", 70), (rollUp, "candidat", 21), (rollUp, rollUp, 114),
        ])
        let protected = SmallCellProtection.protect(rows, k: 5, personBased: { $0 == "participants" }, additive: ["participants"])
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
        let protected = SmallCellProtection.protect(rows, k: 5, personBased: { $0 == "participants" }, additive: ["participants"])
        #expect(protected.allSatisfy { $0.status == .suppressed && $0.value == nil })
    }
}
