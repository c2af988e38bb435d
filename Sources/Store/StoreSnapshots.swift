import Foundation
import GRDB
import Indicators
import Records

/// Snapshots: one per refresh, with its indicator rows (`impact history`, the report's history table).
extension StoreTransaction {
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
            try insert.execute(arguments: [id, r.indicator.id, r.period, r.territory, r.stakeholderType, r.dimension, r.category,
                                           r.value, r.n, r.ciLow, r.ciHigh, r.status.rawValue])
        }
        return id
    }

    /// Every snapshot, oldest first.
    public func snapshots() throws -> [SnapshotInfo] {
        try Row.fetchAll(db, sql: "SELECT * FROM snapshot ORDER BY id").map { row in
            let json: String = try row.value("outputs", of: "snapshot")
            guard let outputs = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] else {
                throw StoreError.corrupt("snapshot.outputs is not a JSON object of output names and hashes")
            }
            return SnapshotInfo(id: try row.value("id", of: "snapshot"), takenAt: try row.value("taken_at", of: "snapshot"),
                                generation: try row.value("generation", of: "snapshot"), filesRead: try row.value("files_read", of: "snapshot"),
                                recordsAdded: try row.value("records_added", of: "snapshot"),
                                recordsReplaced: try row.value("records_replaced", of: "snapshot"),
                                exitCode: try row.value("exit_code", of: "snapshot"), outputs: outputs)
        }
    }

    /// A snapshot's indicator rows (optionally one indicator, one territory), in key order.
    public func rows(snapshot: Int64, indicator: Indicator? = nil, territory: String? = nil) throws -> [IndicatorRow] {
        var sql = "SELECT * FROM snapshot_row WHERE snapshot_id = ?"
        var arguments: StatementArguments = [snapshot]
        if let indicator {
            sql += " AND indicator = ?"
            arguments += [indicator.id]
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

    static func indicatorRow(_ row: Row) throws(StoreError) -> IndicatorRow {
        let t = "snapshot_row"
        let raw: String = try row.value("status", of: t)
        guard let status = IndicatorStatus(rawValue: raw) else { throw StoreError.corrupt("snapshot_row.status '\(raw)' is not a status") }
        let id: String = try row.value("indicator", of: t)
        guard let indicator = Indicator(rawValue: id) else { throw StoreError.corrupt("snapshot_row.indicator '\(id)' is not an indicator") }
        return IndicatorRow(indicator: indicator, period: try row.value("period", of: t),
                            territory: try row.value("territory", of: t), stakeholderType: try row.value("stakeholder_type", of: t),
                            dimension: try row.value("dimension", of: t), category: try row.value("category", of: t),
                            value: try row.value("value", of: t), n: try row.value("n", of: t),
                            ciLow: try row.value("ci_low", of: t), ciHigh: try row.value("ci_high", of: t), status: status)
    }
}
