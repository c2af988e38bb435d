import Foundation
import GRDB
import Indicators
import Ingest
import Records

/// What happened to one record offered to the store.
public enum UpsertOutcome: Sendable, Equatable {
    /// A new natural key.
    case added
    /// The same record again (an overlapping export), or an older version: nothing changes.
    case known
    /// A later export corrected it: the new version replaced the stored one.
    case replaced
    /// Rejected or dropped by the reader: kept for the rejects list, or only counted.
    case rejected, dropped
    /// Two versions in the same file: the later one is rejected (as `impact run` does).
    case conflict(Reject)
}

/// The store inside one transaction.
public struct StoreTransaction {
    let db: Database

    public func meta(_ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [key, value])
    }

    /// Every file the store knows, in order of arrival.
    public func files() throws -> [StoredFile] {
        try Row.fetchAll(db, sql: "SELECT * FROM file ORDER BY arrival, id").map { row in
            StoredFile(id: row["id"], source: row["source"], path: row["path"], size: row["size"], sha256: row["sha256"],
                       arrival: row["arrival"], ingestedAt: row["ingested_at"], unreadable: row["unreadable"],
                       encoding: row["encoding"], delimiter: row["delimiter"], encodingFallbacks: row["encoding_fallbacks"],
                       physical: row["physical"], added: row["added"], known: row["known"], replaced: row["replaced"],
                       rejected: row["rejected"], present: row["present"])
        }
    }

    /// Registers a file about to be read (a changed file keeps its id and arrives again); returns its id.
    public func beginFile(source: String, path: String, size: Int, sha256: String, at: String, keepArrival: Bool = false) throws -> Int64 {
        var arrival = (try Int.fetchOne(db, sql: "SELECT MAX(arrival) FROM file") ?? 0) + 1
        if keepArrival, let kept = try Int.fetchOne(db, sql: "SELECT arrival FROM file WHERE source = ? AND path = ?", arguments: [source, path]) {
            arrival = kept
        }
        try db.execute(sql: """
            INSERT INTO file(source, path, size, sha256, arrival, ingested_at, unreadable, encoding, delimiter,
                             encoding_fallbacks, physical, added, known, replaced, rejected, present)
            VALUES (?, ?, ?, ?, ?, ?, NULL, '', '', 0, 0, 0, 0, 0, 0, 1)
            ON CONFLICT(source, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                arrival = excluded.arrival, ingested_at = excluded.ingested_at, unreadable = NULL, present = 1
            """, arguments: [source, path, size, sha256, arrival, at])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM file WHERE source = ? AND path = ?", arguments: [source, path]) else {
            throw StoreError.corrupt("file row vanished")
        }
        return id
    }

    /// Records what reading the file gave.
    /// With `keepReplaced`, a file read again keeps the count of corrections it brought when it arrived.
    public func finishFile(_ id: Int64, unreadable: String?, encoding: String, delimiter: String, fallbacks: Int,
                           counts: FileCounts, names: Set<UInt64>, organisations: [UInt64: String] = [:], keepReplaced: Bool) throws {
        try db.execute(sql: """
            UPDATE file SET unreadable = ?, encoding = ?, delimiter = ?, encoding_fallbacks = ?, physical = ?,
                added = ?, known = ?, replaced = CASE WHEN ? THEN replaced ELSE ? END, rejected = ? WHERE id = ?
            """, arguments: [unreadable, encoding, delimiter, fallbacks, counts.physical, counts.added, counts.known,
                             keepReplaced, counts.replaced, counts.rejected, id])
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO name_word(file_id, word) VALUES (?, ?)")
        // Keyed hashes of name words, never the words: 16 hexadecimal digits each.
        for word in names.sorted() { try insert.execute(arguments: [id, String(word, radix: 16)]) }
        let organisation = try db.cachedStatement(sql: "INSERT OR REPLACE INTO organisation_name(file_id, key, name) VALUES (?, ?, ?)")
        for (key, name) in organisations.sorted(by: { $0.key < $1.key }) {
            try organisation.execute(arguments: [id, Int64(bitPattern: key), PersonalData.maskContacts(name)])
        }
    }

    /// Registers a batch read in one pass (one file, or an ODK folder whose records all go under the first
    /// file); returns the id its records go under.
    public func beginBatch(source: String, files: [(path: String, size: Int, sha256: String)], at: String,
                           keepArrival: Bool = false) throws -> Int64 {
        var ids: [Int64] = []
        for f in files {
            ids.append(try beginFile(source: source, path: f.path, size: f.size, sha256: f.sha256, at: at, keepArrival: keepArrival))
        }
        guard let first = ids.first else { throw StoreError.corrupt("a batch without files") }
        for extra in ids.dropFirst() {
            try finishFile(extra, unreadable: nil, encoding: "xml", delimiter: "", fallbacks: 0, counts: FileCounts(), names: Set<UInt64>(),
                           keepReplaced: false)
        }
        return first
    }

    /// Adds corrections found when a re-sent file was compared with what it replaced.
    public func addReplaced(fileID: Int64, _ count: Int) throws {
        try db.execute(sql: "UPDATE file SET replaced = replaced + ? WHERE id = ?", arguments: [count, fileID])
    }

    /// Forgets what a file contributed (before it is read again).
    public func clearFile(_ id: Int64) throws {
        try db.execute(sql: "DELETE FROM record WHERE file_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM name_word WHERE file_id = ?", arguments: [id])
    }

    /// Removes a file and its records (`--prune`).
    public func deleteFile(_ id: Int64) throws {
        try clearFile(id)
        try db.execute(sql: "DELETE FROM file WHERE id = ?", arguments: [id])
    }

    public func markAbsent(_ id: Int64) throws {
        try db.execute(sql: "UPDATE file SET present = 0 WHERE id = ?", arguments: [id])
    }

    /// Sets aside a source's natural keys and contents before the source is read again (in a temporary
    /// table: a national source does not fit in memory as a dictionary).
    public func rememberKeys(source: String) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS temp.before_reread")
        try db.execute(sql: """
            CREATE TEMP TABLE before_reread AS
            SELECT natural_key, content FROM record WHERE source = ? AND natural_key IS NOT NULL
            """, arguments: [source])
        try db.execute(sql: "CREATE INDEX temp.before_reread_key ON before_reread(natural_key)")
    }

    /// After the source was read again: keys it did not hold before, and keys whose content changed.
    public func compareWithRemembered(source: String) throws -> (new: Int, corrected: Int) {
        let row = try Row.fetchOne(db, sql: """
            SELECT SUM(b.natural_key IS NULL), SUM(b.natural_key IS NOT NULL AND b.content != r.content)
            FROM record r LEFT JOIN before_reread b ON b.natural_key = r.natural_key
            WHERE r.source = ? AND r.natural_key IS NOT NULL
            """, arguments: [source])
        try db.execute(sql: "DROP TABLE temp.before_reread")
        return ((row?[0] as Int?) ?? 0, (row?[1] as Int?) ?? 0)
    }

    /// Offers one mapped record of file `fileID` to the store: insert, skip, replace or conflict by natural key.
    public func upsert(_ record: MappedRecord, source: String, fileID: Int64, seq: Int,
                       period: (CalendarDate) -> String) throws -> UpsertOutcome {
        guard let content = RecordCodec.content(record) else { return .dropped }
        let location = RecordCodec.location(record)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO record(source, natural_key, file_id, seq, content, location) VALUES (?, ?, ?, ?, ?, ?)
            """)
        guard let key = RecordCodec.naturalKey(record, period: period) else {
            try insert.execute(arguments: [source, nil as Data?, fileID, seq, Data(content), Data(location)])
            return .rejected
        }
        let find = try db.cachedStatement(sql: "SELECT id, file_id, content, location FROM record WHERE source = ? AND natural_key = ?")
        guard let existing = try Row.fetchOne(find, arguments: [source, Data(key)]) else {
            try insert.execute(arguments: [source, Data(key), fileID, seq, Data(content), Data(location)])
            return .added
        }
        let oldContent = [UInt8]((existing["content"] as Data?) ?? Data())
        if oldContent == content { return .known }
        let sameFile = (existing["file_id"] as Int64?) == fileID
        let old = try RecordCodec.decode(content: oldContent, location: [UInt8]((existing["location"] as Data?) ?? Data()))
        switch (record, old) {
        case (.action(let a), .action(let o)) where sameFile:
            return .conflict(Reject(location: a.location, field: "action_id", value: a.id, reason: .duplicateConflict,
                                    message: "action '\(a.id)' was already read at \(o.location) with different details; keep one version in the exports"))
        case (.attendance(let l), .attendance(let o)) where sameFile:
            return .conflict(Reject(location: l.location, field: "stakeholder_type", value: l.stakeholderType, reason: .duplicateConflict,
                                    message: "this person is already listed at action '\(l.actionID)' as '\(o.stakeholderType)'"))
        case (.response(let r), .response(let o)) where r.date < o.date:
            return .known  // the latest answer per wave wins, as in `impact run`
        case (.pathway, .pathway) where sameFile:
            return .known  // the first of two versions in one file wins, as in `impact run`
        default:
            break
        }
        let update = try db.cachedStatement(sql: "UPDATE record SET file_id = ?, seq = ?, content = ?, location = ? WHERE id = ?")
        try update.execute(arguments: [fileID, seq, Data(content), Data(location), existing["id"] as Int64?])
        return sameFile ? .known : .replaced
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

    /// Stores a reject made by the store itself (a same-file conflict), as a rejected record.
    public func storeReject(_ reject: Reject, source: String, fileID: Int64, seq: Int) throws {
        let record = MappedRecord.rejected([reject])
        try db.execute(sql: "INSERT INTO record(source, natural_key, file_id, seq, content, location) VALUES (?, NULL, ?, ?, ?, ?)",
                       arguments: [source, fileID, seq, Data(RecordCodec.content(record) ?? []), Data(RecordCodec.location(record))])
    }

    /// The records a file owns, in reading order.
    public func replay(fileID: Int64, _ visit: (MappedRecord) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT content, location FROM record WHERE file_id = ? ORDER BY seq", arguments: [fileID])
        while let row = try rows.next() {
            let content: Data = row[0], location: Data = row[1]
            try visit(try RecordCodec.decode(content: [UInt8](content), location: [UInt8](location)))
        }
    }

    /// Organisation names read from these files' attendance sheets, by folded-name key (see `OrganisationNames.merge`).
    public func organisationNames(fileIDs: [Int64]) throws -> [UInt64: String] {
        guard !fileIDs.isEmpty else { return [:] }
        let rows = try Row.fetchAll(db, sql: "SELECT key, name FROM organisation_name WHERE file_id IN (\(fileIDs.map { "\($0)" }.joined(separator: ",")))")
        var names: [UInt64: String] = [:]
        for row in rows {
            let key: Int64 = row["key"]
            OrganisationNames.merge(&names, [UInt64(bitPattern: key): row["name"]])
        }
        return names
    }

    /// Keyed hashes of the name words read from these files.
    public func names(fileIDs: [Int64]) throws -> Set<UInt64> {
        guard !fileIDs.isEmpty else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT DISTINCT word FROM name_word WHERE file_id IN (\(fileIDs.map { "\($0)" }.joined(separator: ",")))")
            .compactMap { UInt64($0, radix: 16) })
    }

    /// Records a run's snapshot; returns its id.
    @discardableResult
    public func addSnapshot(takenAt: String, generation: Int, toolVersion: String, pipelineSHA256: String, exitCode: Int,
                            filesRead: Int, recordsAdded: Int, recordsReplaced: Int, outputs: [String: String],
                            rows: [IndicatorRow]) throws -> Int64 {
        let outputsJSON = String(decoding: try JSONSerialization.data(withJSONObject: outputs, options: [.sortedKeys]), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO snapshot(taken_at, generation, tool_version, pipeline_sha256, exit_code, files_read, records_added,
                                 records_replaced, outputs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [takenAt, generation, toolVersion, pipelineSHA256, exitCode, filesRead, recordsAdded, recordsReplaced, outputsJSON])
        let id = db.lastInsertedRowID
        let insert = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO snapshot_row(snapshot_id, indicator, period, territory, stakeholder_type, dimension, category,
                                                value, n, ci_low, ci_high, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for r in rows {
            try insert.execute(arguments: [id, r.indicator, r.period, r.territory, r.stakeholderType, r.dimension, r.category,
                                           r.value, r.n, r.ciLow, r.ciHigh, r.status.rawValue])
        }
        return id
    }

    /// Every snapshot, oldest first.
    public func snapshots() throws -> [SnapshotInfo] {
        try Row.fetchAll(db, sql: "SELECT * FROM snapshot ORDER BY id").map { row in
            let json: String = row["outputs"]
            let outputs = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
            return SnapshotInfo(id: row["id"], takenAt: row["taken_at"], generation: row["generation"], filesRead: row["files_read"],
                                recordsAdded: row["records_added"], recordsReplaced: row["records_replaced"],
                                exitCode: row["exit_code"], outputs: outputs)
        }
    }

    /// A snapshot's indicator rows (optionally one indicator, one territory), in key order.
    public func rows(snapshot: Int64, indicator: String? = nil, territory: String? = nil) throws -> [IndicatorRow] {
        var sql = "SELECT * FROM snapshot_row WHERE snapshot_id = ?"
        var arguments: StatementArguments = [snapshot]
        if let indicator {
            sql += " AND indicator = ?"
            arguments += [indicator]
        }
        if let territory {
            sql += " AND territory = ?"
            arguments += [territory]
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY indicator, period, territory, stakeholder_type, dimension, category",
                                arguments: arguments).map(StoreTransaction.indicatorRow)
    }

    /// For every period any snapshot holds, that period's rows in the latest snapshot holding it (one territory).
    public func latestRowsPerPeriod(territory: String) throws -> [IndicatorRow] {
        try Row.fetchAll(db, sql: """
            SELECT r.* FROM snapshot_row r
            JOIN (SELECT period, MAX(snapshot_id) AS latest FROM snapshot_row GROUP BY period) l
              ON r.period = l.period AND r.snapshot_id = l.latest
            WHERE r.territory = ?
            ORDER BY r.period, r.indicator, r.stakeholder_type, r.dimension, r.category
            """, arguments: [territory]).map(StoreTransaction.indicatorRow)
    }

    static func indicatorRow(_ row: Row) -> IndicatorRow {
        IndicatorRow(indicator: row["indicator"], period: row["period"], territory: row["territory"],
                     stakeholderType: row["stakeholder_type"], dimension: row["dimension"], category: row["category"],
                     value: row["value"], n: row["n"], ciLow: row["ci_low"], ciHigh: row["ci_high"],
                     status: IndicatorStatus(rawValue: row["status"]) ?? .ok)
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
        case .rejected, .conflict: rejected += 1
        }
    }
}
