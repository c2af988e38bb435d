import Testing
import TestSupport
@testable import Records

/// The record rules on hand-made records (what run, refresh and merge all apply).
@Suite("Record rules")
struct RecordRulesTests {
    static let day = CalendarDate(year: 2025, month: 3, day: 14)!
    static let here = RecordLocation(source: "actions", line: 3)
    static let there = RecordLocation(source: "actions", line: 9)

    static func action(_ id: String, hours: Double = 3, at location: RecordLocation = here) -> ActionRecord {
        ActionRecord(id: id, date: day, territory: "lyon", actionType: "zi_tour", organiser: "UIMM", durationHours: hours,
                     declaredCounts: [:], location: location)
    }

    static func line(_ id: String, person: UInt64 = 7, type: String = "industriel") -> AttendanceRecord {
        AttendanceRecord(actionID: id, person: person, stakeholderType: type, organisation: nil, location: RecordLocation(source: "emargements", line: 4))
    }

    @Test func identitiesFoldActionIdsAndIgnoreContent() {
        let period = { (d: CalendarDate) in String(d.year) }
        #expect(RecordRules.identity(of: .action(Self.action("LYO-01")), period: period)
                == RecordRules.identity(of: .action(Self.action("lyo-01", hours: 9, at: Self.there)), period: period))
        #expect(RecordRules.identity(of: .attendance(Self.line("LYO-01")), period: period)
                == RecordRules.identity(of: .attendance(Self.line("Lyo-01", type: "prescripteur")), period: period))
        #expect(RecordRules.identity(of: .attendance(Self.line("LYO-01")), period: period)
                != RecordRules.identity(of: .attendance(Self.line("LYO-01", person: 8)), period: period))
        #expect(RecordRules.identity(of: .rejected([]), period: period) == nil)
        #expect(RecordRules.identity(of: .duplicate(Self.here), period: period) == nil)
    }

    @Test func aSecondActionIsADuplicateOrAConflict() throws {
        #expect(RecordRules.secondAction(Self.action("LYO-01", at: Self.there), kept: Self.action("LYO-01")) == nil)
        let conflict = try #require(RecordRules.secondAction(Self.action("LYO-01", hours: 9, at: Self.there), kept: Self.action("LYO-01")))
        #expect(conflict.reason == .duplicateConflict && conflict.field == "action_id" && conflict.location == Self.there)
        #expect(conflict.message == "action 'LYO-01' was already read at actions:3 with different details; keep one version in the exports")
    }

    @Test func aLaterListingIsADuplicateWithTheSameTypeElseAConflict() {
        #expect(RecordRules.laterListing("industriel", firstListedAs: "industriel") == .duplicate)
        #expect(RecordRules.laterListing("prescripteur", firstListedAs: "industriel") == .conflict)
        #expect(RecordRules.laterListing(2, firstListedAs: 2) == .duplicate)
        let reject = RecordRules.listingConflict(at: Self.here, type: "prescripteur", action: "LYO-01", listedAs: "industriel")
        #expect(reject.reason == .duplicateConflict && reject.value == "prescripteur")
        #expect(reject.message == "this person is already listed at action 'LYO-01' as 'industriel'")
    }

    @Test func aLineOfAnActionNotReadSaysWhy() {
        let unknown = RecordRules.unlinked(Self.line("ZZZ-1"), actionRejected: nil)
        #expect(unknown.reason == .unknownAction)
        #expect(unknown.message == "no action 'ZZZ-1' in the actions sources; check the id or add the action")
        let cause = Reject(location: Self.there, field: "date", value: "31/02/2025", reason: .dateInvalid, message: "no such day")
        let rejected = RecordRules.unlinked(Self.line("LYO-01"), actionRejected: cause)
        #expect(rejected.reason == .actionRejected)
        #expect(rejected.message == "action 'LYO-01' was rejected: actions line 9, date: date_invalid; fix that record and its attendance lines count")
    }

    @Test func theLatestAnswerWinsAndAnIdenticalOneChangesNothing() {
        #expect(RecordRules.laterAnswerReplaces(day: 12, keptDay: 11, identical: false))
        #expect(!RecordRules.laterAnswerReplaces(day: 10, keptDay: 11, identical: false))
        #expect(RecordRules.laterAnswerReplaces(day: 11, keptDay: 11, identical: false))  // the same day: read later wins
        #expect(!RecordRules.laterAnswerReplaces(day: 11, keptDay: 11, identical: true))
    }

    @Test func aLaterExportCorrectsEverythingButAnswers() {
        let answer = SurveyResponse(respondent: 1, stakeholderType: "prescripteur", territory: "lyon", date: Self.day, wave: .pre,
                                    answers: [3], before: [], location: Self.here)
        #expect(!RecordRules.laterExportCorrects(.response(answer)))
        #expect(RecordRules.laterExportCorrects(.action(Self.action("LYO-01"))))
        #expect(RecordRules.laterExportCorrects(.attendance(Self.line("LYO-01"))))
    }
}
