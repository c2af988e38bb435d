import Foundation
import Testing
@testable import Ingest
@testable import Records
@testable import Store

/// The store's record codec and schema, apart from the refresh that uses them.
@Suite("Store")
struct StoreTests {
    static let location = RecordLocation(source: "s", line: 12, path: "/Export/Seance/Participant", index: 3)
    static let date = CalendarDate(year: 2025, month: 3, day: 14)!

    static let records: [MappedRecord] = [
        .action(ActionRecord(id: "LYO-01", date: date, territory: "lyon", actionType: "zi_tour", organiser: "UIMM", durationHours: 3.5,
                             declaredCounts: ["candidat": 12, "industriel": 3], location: location)),
        .attendance(AttendanceRecord(actionID: "LYO-01", person: 0xDEAD_BEEF_0123_4567, stakeholderType: "prescripteur",
                                     organisation: nil, location: RecordLocation(source: "s", line: 4))),
        .response(SurveyResponse(respondent: 42, stakeholderType: "industriel", territory: "lyon", date: date, wave: .retrospective,
                                 answers: [5, 0, 3], before: [2, 0, 3], comment: "Très « bien »", location: location)),
        .pathway(PathwayEvent(candidate: 7, kind: .hire, date: date, territory: "saint_etienne", employer: 9, referrer: nil,
                              referrerType: "france_travail", contractType: "cdd", contractMonths: 8, actionID: nil, location: location)),
        .rejected([Reject(location: location, field: "date", value: "31/02/2025", reason: .dateInvalid, message: "no such day")]),
    ]

    @Test func everyKindRoundTrips() throws {
        for record in Self.records {
            let content = try #require(RecordCodec.content(record))
            let back = try RecordCodec.decode(content: content, location: RecordCodec.location(record))
            #expect(RecordCodec.content(back) == content)
            #expect(RecordCodec.location(back) == RecordCodec.location(record))
        }
    }

    @Test func naturalKeysIgnoreContentAndLocation() throws {
        let a = ActionRecord(id: "lyo-01", date: Self.date, territory: "lyon", actionType: "video", organiser: nil, durationHours: nil,
                             declaredCounts: [:], location: RecordLocation(source: "s", line: 99))
        let period = { (d: CalendarDate) in String(d.year) }
        #expect(RecordCodec.naturalKey(.action(a), period: period) == RecordCodec.naturalKey(Self.records[0], period: period))
        #expect(RecordCodec.content(.action(a)) != RecordCodec.content(Self.records[0]))
        #expect(RecordCodec.naturalKey(Self.records[4], period: period) == nil)
    }

    @Test func truncatedOrForeignBlobsAreErrorsNotCrashes() throws {
        for record in Self.records {
            let content = try #require(RecordCodec.content(record))
            for cut in stride(from: 0, to: content.count, by: 3) {
                #expect(throws: StoreError.self) {
                    _ = try RecordCodec.decode(content: Array(content[..<cut]), location: RecordCodec.location(record))
                }
            }
        }
        #expect(throws: StoreError.self) { _ = try RecordCodec.decode(content: [99, 0, 0], location: []) }
    }

    @Test func schemaIsMigratedAndSound() throws {
        let path = "\(Paths.scratch("store"))/s.sqlite"
        let store = try ImpactStore(path: path, access: .keyed(fingerprint: "f"))
        #expect(try store.integrityCheck() == "ok")
        // Opening again runs no migration twice.
        let again = try ImpactStore(path: path, access: .keyed(fingerprint: "f"))
        #expect(try again.read { try $0.files() }.isEmpty)
    }
}
