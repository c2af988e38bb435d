import Foundation
import GRDB
import Records

/// One ingested input file as the store knows it.
public struct StoredFile: Sendable, Equatable {
    public let id: Int64
    public let source: String
    /// Path relative to the pipeline file's folder.
    public let path: String
    public let size: Int
    public let sha256: String
    /// Order of arrival: a re-sent (changed) file arrives again, after the others.
    public let arrival: Int
    /// The refresh it arrived in (files of one round share it; see `StoreBatch`).
    public let round: Int
    public let ingestedAt: String
    /// Nil when read; the reason when the file could not be read.
    public let unreadable: String?
    /// What it was read as (csv, xml, spreadsheetml, odk, xlsx, ods); empty, in a store from before
    /// formats were kept, for all but workbooks and the files of an ODK folder after the first.
    public let format: String
    /// The text encoding it was decoded from; empty for a workbook.
    public let encoding: String
    public let delimiter: String
    public let encodingFallbacks: Int
    /// Physical records read from the file.
    public let physical: Int
    /// Records it added, already known, corrected (replaced), rejected.
    public let added: Int
    public let known: Int
    public let replaced: Int
    public let rejected: Int
    /// False once it disappeared from the inputs (its records are kept unless pruned).
    public let present: Bool
}

/// One refresh's snapshot: when, what changed, and the exit code.
public struct SnapshotInfo: Sendable, Equatable {
    public let id: Int64
    public let takenAt: String
    public let generation: Int
    public let filesRead: Int
    public let recordsAdded: Int
    public let recordsReplaced: Int
    public let exitCode: Int
    /// Output file name → SHA-256 of what was written.
    public let outputs: [String: String]
}

/// How a store is opened.
public enum StoreAccess: Sendable {
    /// To read snapshots only (`impact history`): no migration, no key.
    case snapshots
    /// To read and write records, pseudonymised under the key with this fingerprint: a new store
    /// records it; an existing one must have been made under the same key.
    case keyed(fingerprint: String)
}

/// The SQLite store of `impact refresh` (through GRDB): ingested files, canonical records by natural key,
/// one snapshot of the indicators per run. Every change happens in a transaction. Created readable
/// by its owner only (0600; SQLite gives its journal files the same mode).
public final class ImpactStore: Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// Opens (creating when needed) and migrates the store at `path`.
    public init(path: String, access: StoreAccess) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileWriting.makeFolder(folder, what: "the store", option: "outputs.store") }
        if case .keyed = access, !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            // WAL: readers (history) never block the refresh; a kill -9 leaves a log SQLite replays.
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            var migrator = ImpactStore.migrator
            migrator.eraseDatabaseOnSchemaChange = false
            if try queue.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError.newerSchema(path: path) }
            guard case .keyed(let fingerprint) = access else { return }
            // Checked before any migration: a store refused is left as its version wrote it.
            let (stored, files) = try queue.read { db -> (String?, Int) in
                guard try db.tableExists("meta") else { return (nil, 0) }
                return (try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'key_fingerprint'"),
                        try db.tableExists("file") ? Int.fetchOne(db, sql: "SELECT COUNT(*) FROM file") ?? 0 : 0)
            }
            if stored == nil && files > 0 { throw StoreError.unkeyed(path: path) }
            if let stored, stored != fingerprint { throw StoreError.otherKey(path: path, stored: stored, expected: fingerprint) }
            try migrator.migrate(queue)
            if stored == nil { try transaction { try $0.setMeta("key_fingerprint", fingerprint) } }
        } catch let error as DatabaseError {
            throw Self.failure(error, path: path)
        }
    }

    /// A store error said in one line; a full disk as an `OutputError` ("no space left on device").
    static func failure(_ error: DatabaseError, path: String) -> any ImpactError {
        if error.resultCode == .SQLITE_FULL { return OutputError("the store", path: path, errno: ENOSPC, option: "outputs.store") }
        return StoreError.database(path: path, message: error.message ?? "SQLite error \(error.resultCode.rawValue)")
    }

    /// Versioned schema; a new version appends a migration, never edits one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE file(
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
                    arrival INTEGER NOT NULL, ingested_at TEXT NOT NULL, unreadable TEXT,
                    encoding TEXT NOT NULL, delimiter TEXT NOT NULL, encoding_fallbacks INTEGER NOT NULL,
                    physical INTEGER NOT NULL, added INTEGER NOT NULL, known INTEGER NOT NULL,
                    replaced INTEGER NOT NULL, rejected INTEGER NOT NULL, present INTEGER NOT NULL,
                    UNIQUE(source, path));
                -- Canonical records, one per natural key and source; rejected records (no key) kept
                -- for the rejects list. Owned by the file that last supplied them.
                CREATE TABLE record(
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL, natural_key BLOB,
                    file_id INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL, content BLOB NOT NULL, location BLOB NOT NULL,
                    UNIQUE(source, natural_key));
                CREATE INDEX record_by_file ON record(file_id, seq);
                -- Folded words of names read in name fields (to scrub quotes), per file.
                CREATE TABLE name_word(
                    file_id INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE, word TEXT NOT NULL,
                    PRIMARY KEY(file_id, word)) WITHOUT ROWID;
                CREATE TABLE snapshot(
                    id INTEGER PRIMARY KEY, taken_at TEXT NOT NULL, generation INTEGER NOT NULL,
                    tool_version TEXT NOT NULL, pipeline_sha256 TEXT NOT NULL, exit_code INTEGER NOT NULL,
                    files_read INTEGER NOT NULL, records_added INTEGER NOT NULL, records_replaced INTEGER NOT NULL,
                    outputs TEXT NOT NULL);
                CREATE TABLE snapshot_row(
                    snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                    indicator TEXT NOT NULL, period TEXT NOT NULL, territory TEXT NOT NULL,
                    stakeholder_type TEXT NOT NULL, dimension TEXT NOT NULL, category TEXT NOT NULL,
                    value REAL, n INTEGER NOT NULL, ci_low REAL, ci_high REAL, status TEXT NOT NULL,
                    PRIMARY KEY(snapshot_id, indicator, period, territory, stakeholder_type, dimension, category)) WITHOUT ROWID;
                """)
        }
        // History looks up the latest snapshot of each period.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "CREATE INDEX snapshot_row_by_period ON snapshot_row(period, snapshot_id)")
        }
        // The report names the organisations reached: their names as read, per file, by folded-name key.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE organisation_name(
                    file_id INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE, key INTEGER NOT NULL, name TEXT NOT NULL,
                    PRIMARY KEY(file_id, key)) WITHOUT ROWID
                """)
        }
        // A suppressed row keeps no figure: n may be NULL, and older snapshots' suppressed rows are blanked.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE snapshot_row_v4(
                    snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                    indicator TEXT NOT NULL, period TEXT NOT NULL, territory TEXT NOT NULL,
                    stakeholder_type TEXT NOT NULL, dimension TEXT NOT NULL, category TEXT NOT NULL,
                    value REAL, n INTEGER, ci_low REAL, ci_high REAL, status TEXT NOT NULL,
                    PRIMARY KEY(snapshot_id, indicator, period, territory, stakeholder_type, dimension, category)) WITHOUT ROWID;
                INSERT INTO snapshot_row_v4
                    SELECT snapshot_id, indicator, period, territory, stakeholder_type, dimension, category,
                           CASE WHEN status = 'suppressed' THEN NULL ELSE value END,
                           CASE WHEN status = 'suppressed' THEN NULL ELSE n END,
                           CASE WHEN status = 'suppressed' THEN NULL ELSE ci_low END,
                           CASE WHEN status = 'suppressed' THEN NULL ELSE ci_high END, status
                    FROM snapshot_row;
                DROP TABLE snapshot_row;
                ALTER TABLE snapshot_row_v4 RENAME TO snapshot_row;
                CREATE INDEX snapshot_row_by_period ON snapshot_row(period, snapshot_id);
                """)
        }
        // Files read in one refresh share a round, and the records of a round are kept as read (versions
        // beside the record held for their identity): the record rules decide between them at replay.
        // Files from before share no round: what they held is matched as before.
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                ALTER TABLE file ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
                UPDATE file SET round = arrival;
                ALTER TABLE record ADD COLUMN version_of BLOB;
                CREATE INDEX record_versions ON record(source, version_of) WHERE version_of IS NOT NULL;
                """)
        }
        // Each file's format apart from its encoding: the encoding column said a workbook's format ("xlsx",
        // "ods"; a ZIP package has no encoding) and "xml" for the files of an ODK folder after the first.
        migrator.registerMigration("v6-input-format") { db in
            try db.execute(sql: """
                ALTER TABLE file ADD COLUMN format TEXT NOT NULL DEFAULT '';
                UPDATE file SET format = encoding, encoding = '' WHERE encoding IN ('xlsx', 'ods');
                UPDATE file SET format = 'odk', encoding = '' WHERE encoding = 'xml';
                """)
        }
        return migrator
    }

    /// Runs `body` in one transaction: everything it did is kept, or nothing (a kill included).
    public func transaction<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try queue.write { db in try body(StoreTransaction(db: db)) }
        } catch let error as DatabaseError {
            throw Self.failure(error, path: path)
        }
    }

    /// Read-only access (a consistent view).
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try queue.read { db in try body(StoreTransaction(db: db)) }
        } catch let error as DatabaseError {
            throw Self.failure(error, path: path)
        }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}
