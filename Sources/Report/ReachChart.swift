import Indicators
import Records

/// An SVG bar chart of people reached per territory and stakeholder type, readable in black and white.
public enum ReachChart {
    /// The chart for `period`, or nil when there is nothing published to draw.
    public static func svg(summary: RunSummary, period: String, labels: Labels, types: [String]) -> String? {
        chart(summary: summary, period: period, labels: labels, types: types)?.svg()
    }

    public static func chart(summary: RunSummary, period: String, labels: Labels, types: [String]) -> SVGChart? {
        let territories = Set(summary.rows.filter { $0.period == period }.map(\.territory)).subtracting([rollUp]).sorted()
        // A bar that adds declared head counts to distinct persons is marked like its table cell.
        var bars: [(territory: String, type: Int, value: Double?, mark: String)] = []
        for t in territories {
            for (i, type) in types.enumerated() {
                guard let row = summary.row(.participants, period, t, type) else { continue }
                bars.append((t, i, row.status == .ok ? row.value : nil, summary.reach.headCounted[[period, t, type]] == nil ? "" : " †"))
            }
        }
        let maxValue = bars.compactMap(\.value).max() ?? 0
        guard maxValue > 0 else { return nil }
        let longest = territories.map { SVGDocument.width(labels.territory($0), bold: true) }.max() ?? 0
        let left = max(150, longest + 20), barHeight = 18.0, gap = 4.0, groupGap = 16.0, plotWidth = 400.0, top = 56.0
        let widestValue = bars.compactMap { bar in bar.value.map { SVGDocument.width(labels.number($0) + bar.mark) } }.max() ?? 0
        let width = max(640, left + plotWidth + 6 + widestValue + 10)
        var y = top
        var body = [SVGDocument.text(x: left, y: 44, anchor: "start", weight: "normal", labels[.chartPersons])]
        var bodyBars: [String] = []
        for t in territories {
            let group = bars.filter { $0.territory == t }
            let groupHeight = Double(group.count) * (barHeight + gap) - gap
            bodyBars.append(SVGDocument.text(x: left - 10, y: y + groupHeight / 2 + 4, anchor: "end", weight: "bold", labels.territory(t)))
            for bar in group {
                if let value = bar.value {
                    let w = max(1, value / maxValue * plotWidth)
                    bodyBars.append(SVGDocument.rect(x: left, y: y, width: w, height: barHeight, fill: SVGDocument.fills[bar.type % SVGDocument.fills.count]))
                    bodyBars.append(SVGDocument.text(x: left + w + 6, y: y + 13, anchor: "start", weight: "normal", labels.number(value) + bar.mark))
                } else {
                    bodyBars.append(SVGDocument.text(x: left + 6, y: y + 13, anchor: "start", weight: "normal", labels[.suppressedMark]))
                }
                y += barHeight + gap
            }
            y += groupGap - gap
        }
        body.append(SVGDocument.line(left, top - 4, left, y - groupGap + gap + 4))
        body += bodyBars
        // Legend entries as wide as their text, on as many lines as the width needs.
        var legendX = left
        var legendY = y + 8
        for (i, type) in types.enumerated() {
            let entry = 18 + SVGDocument.width(labels.stakeholder(type)) + 24
            if legendX > left && legendX + entry > width { legendX = left; legendY += 20 }
            body.append(SVGDocument.rect(x: legendX, y: legendY, width: 12, height: 12, fill: SVGDocument.fills[i % SVGDocument.fills.count]))
            body.append(SVGDocument.text(x: legendX + 18, y: legendY + 10, anchor: "start", weight: "normal", labels.stakeholder(type)))
            legendX += max(150, entry)
        }
        return SVGDocument.chart(width: width, height: legendY + 32, title: "\(labels[.chartReachTitle]) — \(period)",
                                 description: labels.format(.chartReachDesc, period), body: body)
    }
}
