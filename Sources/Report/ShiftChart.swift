import Indicators
import Records

/// An SVG chart of the mean change per dimension with 95 % interval whiskers (one stakeholder
/// type and design, all territories). Suppressed figures are not drawn.
public enum ShiftChart {
    /// The chart, or nil when no dimension has a published change.
    public static func svg(summary: RunSummary, period: String, type: String, design: SurveyDesign, labels: Labels) -> String? {
        chart(summary: summary, period: period, type: type, design: design, labels: labels)?.svg()
    }

    public static func chart(summary: RunSummary, period: String, type: String, design: SurveyDesign, labels: Labels) -> SVGChart? {
        let dims = summary.perception.questionnaire.dimensions.compactMap { d -> (label: String, row: IndicatorRow)? in
            guard let row = summary.row(.perception(.shift, design), period, rollUp, type, dimension: "dimension", category: d.id),
                  row.status != .suppressed, row.value != nil else { return nil }
            return (labels.dimension(d.id), row)
        }
        guard !dims.isEmpty else { return nil }
        let values: [Double] = dims.flatMap { d -> [Double] in [d.row.value ?? 0, d.row.ciLow ?? 0, d.row.ciHigh ?? 0] }
        let low: Double = min(0, (values.min() ?? 0) - 0.1)
        let high: Double = max(0, (values.max() ?? 0) + 0.1)
        // Room for the longest label, and for the value written right of the bar or whisker.
        let longest = dims.map { SVGDocument.width($0.label) }.max() ?? 0
        let valueWidth = dims.map { SVGDocument.width(labels.signed($0.row.value ?? 0), bold: true) }.max() ?? 0
        let left = max(160, longest + 20), plot = 340.0, top = 60.0, rowHeight = 34.0, width = left + plot + max(80, valueWidth + 20)
        func x(_ v: Double) -> Double { left + (v - low) / (high - low) * plot }
        var body: [String] = []
        for (i, d) in dims.enumerated() {
            let y = top + Double(i) * rowHeight
            let value = d.row.value ?? 0
            body.append(SVGDocument.text(x: left - 10, y: y + 14, anchor: "end", weight: "normal", d.label))
            body.append("<rect x=\"\(SVGDocument.f(min(x(0), x(value))))\" y=\"\(SVGDocument.f(y + 4))\" width=\"\(SVGDocument.f(max(1, abs(x(value) - x(0)))))\" height=\"16\" fill=\"#7a7a7a\" stroke=\"#000\" stroke-width=\"0.5\"/>")
            if let lo = d.row.ciLow, let hi = d.row.ciHigh {
                let cy = y + 12
                body.append("<line x1=\"\(SVGDocument.f(x(lo)))\" y1=\"\(SVGDocument.f(cy))\" x2=\"\(SVGDocument.f(x(hi)))\" y2=\"\(SVGDocument.f(cy))\" stroke=\"#000\" stroke-width=\"1.5\"/>")
                for end in [lo, hi] {
                    body.append("<line x1=\"\(SVGDocument.f(x(end)))\" y1=\"\(SVGDocument.f(cy - 6))\" x2=\"\(SVGDocument.f(x(end)))\" y2=\"\(SVGDocument.f(cy + 6))\" stroke=\"#000\" stroke-width=\"1.5\"/>")
                }
            }
            let labelX = x(max(value, d.row.ciHigh ?? value)) + 6
            body.append(SVGDocument.text(x: labelX, y: y + 16, anchor: "start", weight: "bold", labels.signed(value)))
        }
        let bottom = top + Double(dims.count) * rowHeight
        let axisY = bottom + 6
        var axis = ["<line x1=\"\(SVGDocument.f(x(0)))\" y1=\"\(SVGDocument.f(top - 6))\" x2=\"\(SVGDocument.f(x(0)))\" y2=\"\(SVGDocument.f(axisY))\" stroke=\"#000\"/>",
                    "<line x1=\"\(SVGDocument.f(left))\" y1=\"\(SVGDocument.f(axisY))\" x2=\"\(SVGDocument.f(left + plot))\" y2=\"\(SVGDocument.f(axisY))\" stroke=\"#000\"/>"]
        var tick = (low * 2).rounded(.up) / 2
        while tick <= high + 1e-9 {
            axis.append("<line x1=\"\(SVGDocument.f(x(tick)))\" y1=\"\(SVGDocument.f(axisY))\" x2=\"\(SVGDocument.f(x(tick)))\" y2=\"\(SVGDocument.f(axisY + 5))\" stroke=\"#000\"/>")
            axis.append(SVGDocument.text(x: x(tick), y: axisY + 18, anchor: "middle", weight: "normal", labels.signed(tick, decimals: 1)))
            tick += 0.5
        }
        axis.append(SVGDocument.text(x: left + plot / 2, y: axisY + 36, anchor: "middle", weight: "normal", labels[.chartShiftAxis]))
        let height = axisY + 48
        let who = labels.stakeholder(type) + (design == .retrospective ? " — \(labels[.retroPrefix])" : "")
        return SVGDocument.chart(width: width, height: height, title: "\(labels[.chartShiftTitle]) — \(who) — \(period)",
                                 description: labels.format(.chartShiftDesc, who), body: body + axis)
    }
}
