import Foundation
import Indicators
import PipelineFile
import Records
import Report
import Store

/// `impact history`: the snapshots the refresh store kept, or one figure across them.
public enum History {
    /// Which rows of an indicator to follow; nil matches any value.
    public struct Filter: Sendable {
        public var indicator: String?
        public var period: String?
        public var territory: String? = "ALL"
        public var stakeholderType: String?
        public var dimension: String? = ""
        public var category: String?

        public init(indicator: String? = nil, period: String? = nil, territory: String? = "ALL", stakeholderType: String? = nil,
                    dimension: String? = "", category: String? = nil) {
            self.indicator = indicator
            self.period = period
            self.territory = territory
            self.stakeholderType = stakeholderType
            self.dimension = dimension
            self.category = category
        }
    }

    /// The lines to print, as an aligned text table or as CSV (`csv` true).
    public static func lines(pipelinePath: String, outputFolder: String? = nil, filter: Filter, csv: Bool) throws -> [String] {
        let config = try PipelineLoader.load(path: pipelinePath)
        let path = PipelineRefresh.storePath(config: config, outputFolder: outputFolder)
        guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineFileError(file: pipelinePath, line: 0, key: "outputs.store",
                                    message: "no store at \(path) yet: run `impact refresh \(pipelinePath)` first")
        }
        let store = try ImpactStore(path: path, access: .snapshots)
        var table: [[String]]
        if let name = filter.indicator {
            guard let indicator = Indicator(rawValue: name) else { throw UnknownIndicator(name: name) }
            table = [["snapshot", "taken_at", "period", "territory", "stakeholder_type", "dimension", "category", "value", "n", "status", "change"]]
            try store.read { tx in
                var previous: [String: Double] = [:]
                for snapshot in try tx.snapshots() {
                    for row in try tx.rows(snapshot: snapshot.id, indicator: indicator) where matches(row, filter) {
                        let key = [row.period, row.territory, row.stakeholderType, row.dimension, row.category].joined(separator: "\u{0}")
                        let value = row.status == .ok ? row.value : nil
                        let change = zip2(value, previous[key]).map { NumberText.machine($0 - $1) } ?? ""
                        if let value { previous[key] = value }
                        table.append(["\(snapshot.id)", snapshot.takenAt, row.period, row.territory, row.stakeholderType, row.dimension,
                                      row.category, value.map(NumberText.machine) ?? "", row.n.map(String.init) ?? "", row.status.rawValue, change])
                    }
                }
            }
            if table.count == 1 && !csv {
                return ["no snapshot has '\(name)' with these filters (territory defaults to ALL, dimension to none; "
                        + "pass --territory/--dimension to follow a breakdown)"]
            }
        } else {
            table = [["snapshot", "taken_at", "files_read", "records_added", "records_replaced", "exit_code"]]
            for s in try store.read({ try $0.snapshots() }) {
                table.append(["\(s.id)", s.takenAt, "\(s.filesRead)", "\(s.recordsAdded)", "\(s.recordsReplaced)", "\(s.exitCode)"])
            }
        }
        if csv { return table.map { $0.map { CSVText.field($0) }.joined(separator: ",") } }
        let widths = (0..<(table.first?.count ?? 0)).map { c in table.map { $0[c].count }.max() ?? 0 }
        return table.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
    }

    /// `--indicator` names no indicator of indicators.csv.
    public struct UnknownIndicator: ImpactError {
        public let name: String
        public var description: String {
            let hint = Nearest.suggestion(for: name, among: Indicator.allCases.map(\.id)).map { "did you mean '\($0)'?" }
                ?? "the ids are those of indicators.csv's first column"
            return "--indicator '\(name)' is not an indicator; \(hint)"
        }
    }

    static func matches(_ row: IndicatorRow, _ f: Filter) -> Bool {
        (f.period.map { $0 == row.period } ?? true) && (f.territory.map { $0 == row.territory } ?? true)
            && (f.stakeholderType.map { $0 == row.stakeholderType } ?? true) && (f.dimension.map { $0 == row.dimension } ?? true)
            && (f.category.map { $0 == row.category } ?? true)
    }

    private static func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
        guard let a, let b else { return nil }
        return (a, b)
    }
}
