import Foundation
import GRDB
import Testing
import TestSupport
@testable import Indicators
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
    /// Free text from the inputs keeps its NUL bytes (SQLite's text binding would cut it there).
    @Test func textWithNULBytesComesBackWhole() throws {
        let store = try ImpactStore(path: "\(Paths.scratch("nul"))/s.sqlite", access: .keyed(fingerprint: "f"))
        let message = "the header holds 'Ident\u{0}ifiant', 'Date'"
        try store.transaction { tx in
            let batch = try tx.beginBatch(source: "s", files: [("a.csv", 1, "00")], at: "now", round: try tx.nextRound())
            try tx.finishFile(batch.fileID, unreadable: nil, format: "csv", encoding: "utf-8", delimiter: ",", fallbacks: 0, counts: FileCounts(), names: [],
                              organisations: [42: "Forges\u{0} du Gier"], keepReplaced: false)
            try tx.setUnreadable(message, source: "s", path: "a.csv")
        }
        let (files, organisations) = try store.read { tx in (try tx.files(), try tx.organisationNames(fileIDs: try tx.files().map(\.id))) }
        #expect(files.first?.unreadable == message)
        #expect(organisations.first?.name == "Forges\u{0} du Gier")
    }

    /// A store of the previous schema is migrated: each file its own round (what it held is matched as before).
    @Test func aStoreOfTheFourthSchemaGetsRounds() throws {
        let path = "\(Paths.scratch("v4"))/s.sqlite"
        let queue = try DatabaseQueue(path: path)
        try ImpactStore.migrator.migrate(queue, upTo: "v4")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('key_fingerprint', 'f')")
            for (id, arrival) in [(1, 1), (2, 2)] {
                try db.execute(sql: """
                    INSERT INTO file(id, source, path, size, sha256, arrival, ingested_at, unreadable, encoding, delimiter, encoding_fallbacks,
                                     physical, added, known, replaced, rejected, present)
                    VALUES (?, 's', ?, 1, '00', ?, 'then', 'no column ''X''', '', '', 0, 0, 0, 0, 0, 0, 1)
                    """, arguments: [id, "f\(id).csv", arrival])
            }
        }
        let store = try ImpactStore(path: path, access: .keyed(fingerprint: "f"))
        let files = try store.read { try $0.files() }
        #expect(files.map(\.round) == [1, 2])
        #expect(files.first?.unreadable == "no column 'X'")
        #expect(try store.read { try $0.nextRound() } == 3)
    }

    /// A store of the fifth schema said a workbook's format in its encoding column ("xlsx", "ods"), and
    /// "xml" for the files of an ODK folder read with the first: once migrated, those are formats and
    /// the files have no encoding; other files keep theirs, their format left to their source's.
    @Test func aStoreOfTheFifthSchemaSaysFormatsApartFromEncodings() throws {
        let path = "\(Paths.scratch("v5"))/s.sqlite"
        let queue = try DatabaseQueue(path: path)
        try ImpactStore.migrator.migrate(queue, upTo: "v5")
        let files = [("q.xlsx", "xlsx"), ("q.ods", "ods"), ("odk/1.xml", "utf-8"), ("odk/2.xml", "xml"), ("a.csv", "windows-1252")]
        try queue.write { db in
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('key_fingerprint', 'f')")
            for (id, (name, encoding)) in files.enumerated() {
                try db.execute(sql: """
                    INSERT INTO file(id, source, path, size, sha256, arrival, round, ingested_at, unreadable, encoding, delimiter,
                                     encoding_fallbacks, physical, added, known, replaced, rejected, present)
                    VALUES (?, 's', ?, 1, '00', ?, ?, 'then', NULL, ?, '', 0, 0, 0, 0, 0, 0, 1)
                    """, arguments: [id + 1, name, id + 1, id + 1, encoding])
            }
        }
        try queue.close()
        let store = try ImpactStore(path: path, access: .keyed(fingerprint: "f"))
        #expect(try store.read { try $0.files() }.map(\.format) == ["xlsx", "ods", "", "odk", ""])
        let migrated = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT path, format, encoding FROM file ORDER BY id").map { row -> [String] in
                [try row.value("path", of: "file"), try row.value("format", of: "file"), try row.value("encoding", of: "file")]
            }
        }
        #expect(migrated == [["q.xlsx", "xlsx", ""], ["q.ods", "ods", ""], ["odk/1.xml", "", "utf-8"], ["odk/2.xml", "odk", ""],
                             ["a.csv", "", "windows-1252"]])
    }

    /// A snapshot the store cannot read back is said to be corrupt, not read as empty or "ok".
    @Test func aCorruptSnapshotIsSaidSo() throws {
        let store = try ImpactStore(path: "\(Paths.scratch("corrupt"))/s.sqlite", access: .keyed(fingerprint: "f"))
        let id = try store.transaction { tx in
            try tx.addSnapshot(takenAt: "now", generation: 1, toolVersion: "t", pipelineSHA256: "p", exitCode: 0, filesRead: 1,
                               recordsAdded: 1, recordsReplaced: 0, outputs: ["indicators.csv": "ab"],
                               rows: [IndicatorRow(indicator: .actions, period: "2024-2025", territory: "ALL", stakeholderType: "ALL",
                                                   value: 3, n: 3)])
        }
        #expect(try store.read { try $0.rows(snapshot: id) }.count == 1)
        try store.transaction { tx in try tx.db.execute(sql: "UPDATE snapshot_row SET status = 'fine'") }
        #expect(throws: StoreError.self) { _ = try store.read { try $0.rows(snapshot: id) } }
        try store.transaction { tx in try tx.db.execute(sql: "UPDATE snapshot SET outputs = 'not json'") }
        #expect(throws: StoreError.self) { _ = try store.read { try $0.snapshots() } }
        try store.transaction { tx in try tx.setMeta("generation", "two") }
        #expect(throws: StoreError.self) { _ = try store.transaction { try $0.generation() } }
    }
}
