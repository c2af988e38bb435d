import Foundation
import GRDB
import Records

/// What happened to one record offered to the store.
public enum UpsertOutcome: Sendable, Equatable {
    /// Stored: a new identity, or a record read in the same refresh as the one held (kept as read:
    /// the record rules decide between them when the store is replayed).
    case added
    /// Held already from an earlier refresh (an overlapping export): nothing changes.
    case known
    /// A later export's version of a record held from an earlier refresh: a correction (`RecordRules.laterExportCorrects`).
    case replaced
    /// Rejected or dropped by the reader: kept for the rejects list, or only counted.
    case rejected, dropped
}

/// Canonical records: stored by identity (`RecordRules.Identity`, as bytes), replayed in reading order.
extension StoreTransaction {
    /// Offers one mapped record of `batch` to the store. Records of the batch's round are stored as read
    /// (what `impact run` would read); a record held from an earlier round is not stored again, and a
    /// different version of it corrects it (answers are kept side by side: the latest wins at replay).
    public func upsert(_ record: MappedRecord, source: String, batch: StoreBatch, seq: Int,
                       period: (CalendarDate) -> String) throws -> UpsertOutcome {
        guard let content = RecordCodec.content(record) else { return .dropped }
        let location = RecordCodec.location(record)
        let insert = try db.cachedStatement(sql: "INSERT INTO record(source, natural_key, file_id, seq, content, location) VALUES (?, ?, ?, ?, ?, ?)")
        guard let key = RecordCodec.naturalKey(record, period: period) else {
            try insert.execute(arguments: [source, nil as Data?, batch.fileID, seq, Data(content), Data(location)])
            return .rejected
        }
        let find = try db.cachedStatement(sql: "SELECT id, content, location, file_id FROM record WHERE source = ? AND natural_key = ?")
        guard let held = try Row.fetchOne(find, arguments: [source, Data(key)]) else {
            try insert.execute(arguments: [source, Data(key), batch.fileID, seq, Data(content), Data(location)])
            return .added
        }
        func keepAsRead() throws {
            let version = try db.cachedStatement(sql: """
                INSERT INTO record(source, natural_key, version_of, file_id, seq, content, location) VALUES (?, NULL, ?, ?, ?, ?, ?)
                """)
            try version.execute(arguments: [source, Data(key), batch.fileID, seq, Data(content), Data(location)])
        }
        let heldContent: Data = try held.value(at: 1, "content", of: "record")
        let heldFile: Int64 = try held.value(at: 3, "file_id", of: "record")
        let heldRound = heldFile == batch.fileID ? batch.round : try round(ofFile: heldFile)
        let sameContent = heldContent.elementsEqual(content)
        if heldRound == batch.round {
            try keepAsRead()  // read together: the record rules decide between them at replay, as in `impact run`
            return .added
        }
        if RecordRules.laterExportCorrects(record) {
            if sameContent { return .known }
            let update = try db.cachedStatement(sql: "UPDATE record SET file_id = ?, seq = ?, content = ?, location = ? WHERE id = ?")
            try update.execute(arguments: [batch.fileID, seq, Data(content), Data(location), try held.value(at: 0, "id", of: "record") as Int64])
            try db.cachedStatement(sql: "DELETE FROM record WHERE source = ? AND version_of = ?").execute(arguments: [source, Data(key)])
            return .replaced
        }
        // An answer: kept beside the others of its identity (the latest wins at replay, whenever it arrived),
        // unless it is the one answer held, again.
        if sameContent, try !hasVersions(source: source, key: key) { return .known }
        try keepAsRead()
        let heldAnswer = try RecordCodec.decode(content: [UInt8](heldContent), location: [UInt8](try held.value(at: 2, "location", of: "record") as Data))
        guard case .response(let answer) = record, case .response(let kept) = heldAnswer else { return .added }
        return RecordRules.laterAnswerReplaces(day: answer.date.dayNumber, keptDay: kept.date.dayNumber, identical: sameContent) ? .replaced : .known
    }

    /// The round the file `id` arrived in.
    private func round(ofFile id: Int64) throws -> Int {
        guard let round = try Int.fetchOne(db.cachedStatement(sql: "SELECT round FROM file WHERE id = ?"), arguments: [id]) else {
            throw StoreError.corrupt("a record of no file (\(id))")
        }
        return round
    }

    /// Whether versions read beside the held record of `key` are kept.
    private func hasVersions(source: String, key: [UInt8]) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM record WHERE source = ? AND version_of = ?)"),
                          arguments: [source, Data(key)]) ?? false
    }

    /// Appends a record as read, without matching it to others (a partition's state for `impact merge`).
    public func append(_ record: MappedRecord, source: String, fileID: Int64, seq: Int) throws -> UpsertOutcome {
        guard let content = RecordCodec.content(record) else { return .dropped }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO record(source, natural_key, file_id, seq, content, location) VALUES (?, NULL, ?, ?, ?, ?)
            """)
        try insert.execute(arguments: [source, fileID, seq, Data(content), Data(RecordCodec.location(record))])
        if case .rejected = record { return .rejected }
        return .added
    }

    /// The records a file owns, in reading order.
    public func replay(fileID: Int64, _ visit: (MappedRecord) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT content, location FROM record WHERE file_id = ? ORDER BY seq", arguments: [fileID])
        while let row = try rows.next() {
            let content: Data = try row.value(at: 0, "content", of: "record"), location: Data = try row.value(at: 1, "location", of: "record")
            try visit(try RecordCodec.decode(content: [UInt8](content), location: [UInt8](location)))
        }
    }
}

/// What reading one file gave, record by record.
public struct FileCounts: Sendable, Equatable {
    public var physical = 0, added = 0, known = 0, replaced = 0, rejected = 0

    public init() {}

    public mutating func count(_ outcome: UpsertOutcome) {
        physical += 1
        switch outcome {
        case .added: added += 1
        case .known, .dropped: known += 1
        case .replaced: replaced += 1
        case .rejected: rejected += 1
        }
    }
}
