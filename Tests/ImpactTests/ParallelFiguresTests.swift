import Foundation
import Testing
@testable import Indicators
@testable import Records

/// The indicator stage splits its work over the cores (the survey respondents, the perception keys):
/// the figures, and what protection hides, must be those of the computation done in one piece.
@Suite("Figures made on several cores")
struct ParallelFiguresTests {
    /// Two dimensions: `d1` of three items, `d2` of two.
    static let questionnaire = Questionnaire(
        items: [("a", "d1"), ("b", "d1"), ("c", "d1"), ("d", "d2"), ("e", "d2")].map {
            Questionnaire.Item(id: $0.0, label: $0.0, dimension: $0.1, reverse: false)
        },
        dimensions: [(id: "d1", label: "D1"), (id: "d2", label: "D2")],
        scale: Vocabulary(name: "scale"), missing: Vocabulary(name: "missing"), waves: Vocabulary(name: "wave"))

    /// A reproducible stream of numbers (SplitMix64).
    struct Numbers {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// `respondents` people over 2 years × 12 territories × 3 types: before and after answers
    /// (some never come back, some answer only after), retrospective ones, missing answers, second
    /// answers in a wave; a third of them found on attendance sheets, at one to four actions.
    static func answers(respondents: Int, seed: UInt64) -> (PerceptionState, RespondentAttendance) {
        var numbers = Numbers(state: seed)
        var state = PerceptionState(questionnaire: questionnaire, scheme: .calendarYear)
        var people: [(key: UInt64, year: Int, territory: String, type: String)] = []
        func scores() -> [UInt8] { (0..<5).map { _ in numbers.below(7) == 0 ? 0 : UInt8(1 + numbers.below(5)) } }
        for r in 0..<respondents {
            let person = (key: numbers.next(), year: 2024 + numbers.below(2), territory: "t\(numbers.below(12))",
                          type: ["conseiller", "employeur", "candidat"][numbers.below(3)])
            people.append(person)
            let location = RecordLocation(source: "q", line: r + 2)
            func answer(_ wave: Wave, month: Int, before: [UInt8] = []) {
                guard let date = CalendarDate(year: person.year, month: month, day: 1 + numbers.below(28)) else { return }
                _ = state.add(SurveyResponse(respondent: person.key, stakeholderType: person.type, territory: person.territory, date: date,
                                             wave: wave, answers: scores(), before: before, location: location), source: 0)
            }
            switch numbers.below(6) {
            case 0: answer(.pre, month: 2)
            case 1: answer(.post, month: 9)
            case 2: answer(.retrospective, month: 9, before: scores())
            case 3:
                answer(.pre, month: 2)
                answer(.pre, month: 3)  // a second answer in the wave: the later one is kept
                answer(.post, month: 9)
            default:
                answer(.pre, month: 2)
                answer(.post, month: 9)
            }
        }
        var attendance = RespondentAttendance(respondents: Set(people.map(\.key)))
        for person in people where numbers.below(3) == 0 {
            for _ in 0...numbers.below(4) {
                attendance.add(person: person.key, .init(period: String(person.year), territory: person.territory,
                                                         stakeholderType: person.type, actionType: ["atelier", "visite"][numbers.below(2)],
                                                         action: numbers.below(40)))
            }
        }
        return (state, attendance)
    }

    @Test func respondentsSplitOverThreadsGiveTheSameAggregate() {
        let (state, attendance) = Self.answers(respondents: 3_000, seed: 7)
        let whole = state.aggregate(attendance: attendance, parts: 1)
        // Enough groups for the split to matter: every cell, both designs, roll-ups, formats, rates.
        #expect(whole.pairs.count > 500)
        #expect(!whole.unpairedPre.isEmpty && !whole.unpairedPost.isEmpty)
        #expect(!whole.formatPairs.isEmpty && !whole.responded.isEmpty && !whole.linkage.isEmpty)
        #expect(whole.reliability.count == 3 * 2 * 2)
        for parts in [2, 3, 8] {
            #expect(state.aggregate(attendance: attendance, parts: parts) == whole, "split into \(parts)")
        }
        #expect(state.aggregate(attendance: attendance) == whole)
    }

    @Test func perceptionRowsAndTheirProtectionDoNotDependOnTheSplit() {
        let (state, attendance) = Self.answers(respondents: 2_000, seed: 11)
        let aggregate = state.aggregate(attendance: attendance)
        let whole = PerceptionIndicators.compute(aggregate, parts: 1)
        #expect(whole.count > 2_000)
        for parts in [2, 5, 64, whole.count + 3] {
            #expect(PerceptionIndicators.compute(aggregate, parts: parts) == whole, "split into \(parts)")
        }
        let k = 5
        let hide = PerceptionIndicators.unpairedBelow(k, in: aggregate)
        let protected = SmallCellProtection.protect(whole, k: k, hide: hide)
        #expect(SmallCellProtection.protect(PerceptionIndicators.compute(aggregate), k: k, hide: hide) == protected)
        // Protection holds: no mean of fewer than k pairs is published (means are never 0, so none
        // stays as an additive table's zero), and some cells were small enough to be hidden.
        let means = protected.filter { $0.indicator.perception?.measure == .preMean }
        #expect(means.allSatisfy { $0.status == .suppressed || $0.count >= k })
        #expect(means.contains { $0.status == .suppressed } && means.contains { $0.status != .suppressed })
        #expect(protected.filter { hide.contains($0.key) }.allSatisfy { $0.status == .suppressed })
    }

    /// The large sort (two halves, each on a core, merged) and the rows added to sorted rows (merged
    /// in) keep the order of one stable sort, equal keys in their first order (`value` numbers the rows).
    @Test func sortInHalvesAndMergeKeepTheStableOrder() {
        for (seed, words) in [(4, ["", "a"]), (5, ["é", "e", "ALL", "2025"])] as [(UInt64, [String])] {
            let rows = FixedCostTests.rows(9_001, seed: seed, indicators: [.actions, .participants, .hires], words: words)
            let whole = rows.keySorted()
            #expect(rows.sortedByKey().map(\.value) == whole.map(\.value))
            for cut in [0, 1, 4_500, 9_001] {
                let halves = Array(rows[..<cut]).keySorted().merged(Array(rows[cut...]).keySorted())
                #expect(halves.map(\.value) == whole.map(\.value), "cut at \(cut)")
            }
            let extra = FixedCostTests.rows(300, seed: seed + 10, indicators: [.hires, .referrals], words: words)
            #expect(whole.addingSortedByKey(extra) == (whole + extra).keySorted())
        }
    }

    @Test func parallelMapKeepsTheOrderOfOneLoop() {
        for count in 0...20 {
            for parts in [nil, 1, 2, 3, 7, 40] {
                let squares = Parallel.map(count, parts: parts) { range in range.map { $0 * $0 } }
                #expect(squares == (0..<count).map { $0 * $0 }, "\(count) items in \(parts.map(String.init) ?? "default") parts")
            }
        }
    }

    @Test func backgroundJoinsBeforeItsValueIsTaken() {
        let work = Background { (1...1_000).reduce(0, +) }
        work.join()
        work.join()
        #expect(work.wait() == 500_500)
    }
}
