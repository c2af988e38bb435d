import Foundation
import GRDB
import Records

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

    /// How many times the store's records changed (0 for a new store).
    public func generation() throws -> Int {
        guard let text = try meta("generation") else { return 0 }
        guard let generation = Int(text) else { throw StoreError.corrupt("meta.generation '\(text)' is not a number") }
        return generation
    }

    /// Every file the store knows, in order of arrival.
    public func files() throws -> [StoredFile] {
        try Row.fetchAll(db, sql: "SELECT * FROM file ORDER BY arrival, id").map { row in
            let t = "file"
            return StoredFile(id: try row.value("id", of: t), source: try row.value("source", of: t), path: try row.value("path", of: t),
                              size: try row.value("size", of: t), sha256: try row.value("sha256", of: t),
                              arrival: try row.value("arrival", of: t), round: try row.value("round", of: t),
                              ingestedAt: try row.value("ingested_at", of: t), unreadable: try row.text("unreadable", of: t),
                              format: try row.value("format", of: t), encoding: try row.value("encoding", of: t),
                              delimiter: try row.value("delimiter", of: t),
                              encodingFallbacks: try row.value("encoding_fallbacks", of: t), physical: try row.value("physical", of: t),
                              added: try row.value("added", of: t), known: try row.value("known", of: t),
                              replaced: try row.value("replaced", of: t), rejected: try row.value("rejected", of: t),
                              present: try row.value("present", of: t))
        }
    }

    /// The round the files a refresh reads now arrive in: after every file the store knows.
    public func nextRound() throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT MAX(arrival) FROM file") ?? 0) + 1
    }

    /// Registers a file about to be read (a changed file keeps its id and arrives again, in `round`);
    /// returns its id. With `keepArrival`, a file read again keeps its place and round.
    public func beginFile(source: String, path: String, size: Int, sha256: String, at: String, round: Int,
                          keepArrival: Bool = false) throws -> Int64 {
        var arrival = try nextRound(), round = round
        if keepArrival, let kept = try Row.fetchOne(db, sql: "SELECT arrival, round FROM file WHERE source = ? AND path = ?",
                                                    arguments: [source, path]) {
            arrival = try kept.value("arrival", of: "file")
            round = try kept.value("round", of: "file")
        }
        try db.execute(sql: """
            INSERT INTO file(source, path, size, sha256, arrival, round, ingested_at, unreadable, encoding, delimiter,
                             encoding_fallbacks, physical, added, known, replaced, rejected, present)
            VALUES (?, ?, ?, ?, ?, ?, ?, NULL, '', '', 0, 0, 0, 0, 0, 0, 1)
            ON CONFLICT(source, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                arrival = excluded.arrival, round = excluded.round, ingested_at = excluded.ingested_at, unreadable = NULL, present = 1
            """, arguments: [source, path, size, sha256, arrival, round, at])
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM file WHERE source = ? AND path = ?", arguments: [source, path]) else {
            throw StoreError.corrupt("file row vanished")
        }
        return id
    }

    /// Records what reading the file gave.
    /// With `keepReplaced`, a file read again keeps the count of corrections it brought when it arrived.
    public func finishFile(_ id: Int64, unreadable: String?, format: String, encoding: String, delimiter: String, fallbacks: Int,
                           counts: FileCounts, names: Set<UInt64>, organisations: [UInt64: String] = [:], keepReplaced: Bool) throws {
        try db.execute(sql: """
            UPDATE file SET unreadable = ?, format = ?, encoding = ?, delimiter = ?, encoding_fallbacks = ?, physical = ?,
                added = ?, known = ?, replaced = CASE WHEN ? THEN replaced ELSE ? END, rejected = ? WHERE id = ?
            """, arguments: [StoredText.blob(unreadable), format, encoding, delimiter, fallbacks, counts.physical, counts.added, counts.known,
                             keepReplaced, counts.replaced, counts.rejected, id])
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO name_word(file_id, word) VALUES (?, ?)")
        // Keyed hashes of name words, never the words: 16 hexadecimal digits each.
        for word in names.sorted() { try insert.execute(arguments: [id, String(word, radix: 16)]) }
        let organisation = try db.cachedStatement(sql: "INSERT OR REPLACE INTO organisation_name(file_id, key, name) VALUES (?, ?, ?)")
        for (key, name) in organisations.sorted(by: { $0.key < $1.key }) {
            try organisation.execute(arguments: [id, Int64(bitPattern: key), StoredText.blob(PersonalData.maskContacts(name))])
        }
    }

    /// Says why a file (of a batch being read) could not be read: reading stopped there.
    public func setUnreadable(_ message: String, source: String, path: String) throws {
        try db.execute(sql: "UPDATE file SET unreadable = ? WHERE source = ? AND path = ?", arguments: [StoredText.blob(message), source, path])
        guard db.changesCount == 1 else { throw StoreError.corrupt("no file \(path) of source \(source) to mark unreadable") }
    }

    /// Registers a batch read in one pass (one file, or an ODK folder whose records all go under the first
    /// file); returns the batch its records go under.
    public func beginBatch(source: String, files: [(path: String, size: Int, sha256: String)], at: String, round: Int,
                           keepArrival: Bool = false) throws -> StoreBatch {
        var ids: [Int64] = []
        for f in files {
            ids.append(try beginFile(source: source, path: f.path, size: f.size, sha256: f.sha256, at: at, round: round, keepArrival: keepArrival))
        }
        guard let first = ids.first else { throw StoreError.corrupt("a batch without files") }
        let kept: Int = try Int.fetchOne(db, sql: "SELECT round FROM file WHERE id = ?", arguments: [first]) ?? round
        return StoreBatch(fileID: first, round: kept, others: Array(ids.dropFirst()))
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
            SELECT COALESCE(SUM(b.natural_key IS NULL), 0) AS new,
                   COALESCE(SUM(b.natural_key IS NOT NULL AND b.content != r.content), 0) AS corrected
            FROM record r LEFT JOIN before_reread b ON b.natural_key = r.natural_key
            WHERE r.source = ? AND r.natural_key IS NOT NULL
            """, arguments: [source])
        try db.execute(sql: "DROP TABLE temp.before_reread")
        guard let row else { throw StoreError.corrupt("no comparison with the records read before") }
        return (try row.value("new", of: "record"), try row.value("corrected", of: "record"))
    }

    /// Organisation names read from these files' attendance sheets, by folded-name key, in no particular
    /// order (a key may come with several spellings: `OrganisationNames.merge` keeps one).
    public func organisationNames(fileIDs: [Int64]) throws -> [(key: UInt64, name: String)] {
        guard !fileIDs.isEmpty else { return [] }
        let rows = try Row.fetchAll(db, sql: "SELECT key, name FROM organisation_name WHERE file_id IN (\(fileIDs.map { "\($0)" }.joined(separator: ",")))")
        return try rows.map { row in
            let key: Int64 = try row.value("key", of: "organisation_name")
            guard let name = try row.text("name", of: "organisation_name") else { throw StoreError.corrupt("organisation_name.name is empty") }
            return (UInt64(bitPattern: key), name)
        }
    }

    /// Keyed hashes of the name words read from these files.
    public func names(fileIDs: [Int64]) throws -> Set<UInt64> {
        guard !fileIDs.isEmpty else { return [] }
        var words = Set<UInt64>()
        for text in try String.fetchAll(db, sql: "SELECT DISTINCT word FROM name_word WHERE file_id IN (\(fileIDs.map { "\($0)" }.joined(separator: ",")))") {
            guard let word = UInt64(text, radix: 16) else { throw StoreError.corrupt("name_word.word '\(text)' is not a hash") }
            words.insert(word)
        }
        return words
    }
}

/// A batch of files being read into the store: the file its records go under, and the round it arrived in.
public struct StoreBatch: Sendable, Equatable {
    public let fileID: Int64
    /// Files read in one refresh share a round; records of the same round are kept as read.
    public let round: Int
    /// The files read with the first (an ODK folder's): their records go under the first.
    public let others: [Int64]
}
