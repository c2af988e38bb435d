import Indicators

/// An SVG chart of the mean change per dimension with 95 % interval whiskers (one stakeholder
/// type and design, all territories). Suppressed figures are not drawn.
public enum ShiftChart {
    /// The chart, or nil when no dimension has a published change.
    public static func svg(summary: RunSummary, period: String, type: String, prefix: String, labels: Labels) -> String? {
        let dims = summary.questionnaire.dimensions.compactMap { d -> (label: String, row: IndicatorRow)? in
            guard let row = summary.row("\(prefix)_shift", period, rollUp, type, dimension: "dimension", category: d.id),
                  row.status != .suppressed, row.value != nil else { return nil }
            return (d.label, row)
        }
        guard !dims.isEmpty else { return nil }
        let values: [Double] = dims.flatMap { d -> [Double] in [d.row.value ?? 0, d.row.ciLow ?? 0, d.row.ciHigh ?? 0] }
        let low: Double = min(0, (values.min() ?? 0) - 0.1)
        let high: Double = max(0, (values.max() ?? 0) + 0.1)
        // Room for the longest label (about 7 px a character at 12 px DejaVu Sans).
        let longest = Double(dims.map(\.label.count).max() ?? 20)
        let left = max(160, longest * 7 + 20), plot = 340.0, top = 60.0, rowHeight = 34.0, width = left + plot + 80
        func x(_ v: Double) -> Double { left + (v - low) / (high - low) * plot }
        var body: [String] = []
        for (i, d) in dims.enumerated() {
            let y = top + Double(i) * rowHeight
            let value = d.row.value ?? 0
            body.append(ReachChart.text(x: left - 10, y: y + 14, anchor: "end", weight: "normal", d.label))
            body.append("<rect x=\"\(ReachChart.f(min(x(0), x(value))))\" y=\"\(ReachChart.f(y + 4))\" width=\"\(ReachChart.f(max(1, abs(x(value) - x(0)))))\" height=\"16\" fill=\"#7a7a7a\" stroke=\"#000\" stroke-width=\"0.5\"/>")
            if let lo = d.row.ciLow, let hi = d.row.ciHigh {
                let cy = y + 12
                body.append("<line x1=\"\(ReachChart.f(x(lo)))\" y1=\"\(ReachChart.f(cy))\" x2=\"\(ReachChart.f(x(hi)))\" y2=\"\(ReachChart.f(cy))\" stroke=\"#000\" stroke-width=\"1.5\"/>")
                for end in [lo, hi] {
                    body.append("<line x1=\"\(ReachChart.f(x(end)))\" y1=\"\(ReachChart.f(cy - 6))\" x2=\"\(ReachChart.f(x(end)))\" y2=\"\(ReachChart.f(cy + 6))\" stroke=\"#000\" stroke-width=\"1.5\"/>")
                }
            }
            let labelX = x(max(value, d.row.ciHigh ?? value)) + 6
            body.append(ReachChart.text(x: labelX, y: y + 16, anchor: "start", weight: "bold", labels.signed(value)))
        }
        let bottom = top + Double(dims.count) * rowHeight
        let axisY = bottom + 6
        var axis = ["<line x1=\"\(ReachChart.f(x(0)))\" y1=\"\(ReachChart.f(top - 6))\" x2=\"\(ReachChart.f(x(0)))\" y2=\"\(ReachChart.f(axisY))\" stroke=\"#000\"/>",
                    "<line x1=\"\(ReachChart.f(left))\" y1=\"\(ReachChart.f(axisY))\" x2=\"\(ReachChart.f(left + plot))\" y2=\"\(ReachChart.f(axisY))\" stroke=\"#000\"/>"]
        var tick = (low * 2).rounded(.up) / 2
        while tick <= high + 1e-9 {
            axis.append("<line x1=\"\(ReachChart.f(x(tick)))\" y1=\"\(ReachChart.f(axisY))\" x2=\"\(ReachChart.f(x(tick)))\" y2=\"\(ReachChart.f(axisY + 5))\" stroke=\"#000\"/>")
            axis.append(ReachChart.text(x: x(tick), y: axisY + 18, anchor: "middle", weight: "normal", labels.signed(tick, decimals: 1)))
            tick += 0.5
        }
        axis.append(ReachChart.text(x: left + plot / 2, y: axisY + 36, anchor: "middle", weight: "normal", labels[.chartShiftAxis]))
        let height = axisY + 48
        let who = labels.stakeholder(type) + (prefix == "retro_perception" ? " — \(labels[.retroPrefix])" : "")
        let title = "\(labels[.chartShiftTitle]) — \(who)"
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(ReachChart.f(width))" height="\(ReachChart.f(height))" viewBox="0 0 \(ReachChart.f(width)) \(ReachChart.f(height))" role="img" aria-labelledby="title desc" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
        <title id="title">\(ReachChart.escape(title)) — \(ReachChart.escape(period))</title>
        <desc id="desc">\(ReachChart.escape(labels.format(.chartShiftDesc, who)))</desc>
        <rect width="100%" height="100%" fill="#fff"/>
        \(ReachChart.text(x: 10, y: 24, anchor: "start", weight: "bold", "\(title) — \(period)", size: 15))
        \((body + axis).joined(separator: "\n"))
        </svg>

        """
    }
}
