import Indicators
import Records

/// The report's charts: each drawn once, named as a file beside the report, and found by the
/// sections under its key.
public struct ReportCharts: Sendable {
    /// Chart by key (`reachKey`, `shiftKey`, `funnelKey`).
    public private(set) var byKey: [String: ChartFile] = [:]
    /// File name and SVG text, in the order the files are written.
    public private(set) var files: [(name: String, svg: String)] = []

    /// Every chart with something published to draw: reach per period, the shift per period,
    /// stakeholder type and design, the funnel per period.
    public init(summary: RunSummary, labels: Labels) {
        let types = labels.stakeholders.ids
        let reached = types.filter { type in summary.rows.contains { $0.stakeholderType == type } }
        for period in summary.periods {
            add(ReachChart.chart(summary: summary, period: period, labels: labels, types: reached), key: Self.reachKey(period),
                name: "reach-\(period).svg")
        }
        for period in summary.periods {
            for type in types {
                for design in SurveyDesign.allCases {
                    let name = "\(design == .prospective ? "shift" : "perceived-shift")-\(type)-\(period).svg"
                    add(ShiftChart.chart(summary: summary, period: period, type: type, design: design, labels: labels),
                        key: Self.shiftKey(period, type, design), name: name)
                }
            }
        }
        for period in summary.periods {
            add(FunnelChart.chart(summary: summary, period: period, labels: labels), key: Self.funnelKey(period), name: "funnel-\(period).svg")
        }
    }

    private mutating func add(_ chart: SVGChart?, key: String, name: String) {
        guard let chart else { return }
        byKey[key] = ChartFile(file: name, chart: chart)
        files.append((name, chart.svg()))
    }

    static func reachKey(_ period: String) -> String { period }
    static func shiftKey(_ period: String, _ type: String, _ design: SurveyDesign) -> String { "\(period)/\(type)/\(design.rawValue)" }
    static func funnelKey(_ period: String) -> String { "\(period)/funnel" }
}
