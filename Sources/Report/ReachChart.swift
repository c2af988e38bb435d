import Indicators

/// An SVG bar chart of people reached per territory and stakeholder type, readable in black and white.
public enum ReachChart {
    /// Greys and hatching-free fills that stay distinct when printed without colour.
    static let fills = ["#1f1f1f", "#7a7a7a", "#d0d0d0", "#4d4d4d", "#a6a6a6"]

    /// The chart for `period`, or nil when there is nothing published to draw.
    public static func svg(summary: RunSummary, period: String, labels: Labels, types: [String]) -> String? {
        let territories = Set(summary.rows.filter { $0.period == period }.map(\.territory)).subtracting([rollUp]).sorted()
        var bars: [(territory: String, type: Int, value: Double?)] = []
        for t in territories {
            for (i, type) in types.enumerated() {
                guard let row = summary.row("participants", period, t, type) else { continue }
                bars.append((t, i, row.status == .ok ? row.value : nil))
            }
        }
        let maxValue = bars.compactMap(\.value).max() ?? 0
        guard maxValue > 0 else { return nil }
        let left = 150.0, barHeight = 18.0, gap = 4.0, groupGap = 16.0, width = 640.0, plotWidth = 400.0, top = 56.0
        var y = top
        var body: [String] = []
        for t in territories {
            let group = bars.filter { $0.territory == t }
            let groupHeight = Double(group.count) * (barHeight + gap) - gap
            body.append(text(x: left - 10, y: y + groupHeight / 2 + 4, anchor: "end", weight: "bold", labels.territory(t)))
            for bar in group {
                if let value = bar.value {
                    let w = max(1, value / maxValue * plotWidth)
                    body.append("<rect x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(barHeight))\" fill=\"\(fills[bar.type % fills.count])\" stroke=\"#000\" stroke-width=\"0.5\"/>")
                    body.append(text(x: left + w + 6, y: y + 13, anchor: "start", weight: "normal", labels.number(value)))
                } else {
                    body.append(text(x: left + 6, y: y + 13, anchor: "start", weight: "normal", labels[.suppressedMark]))
                }
                y += barHeight + gap
            }
            y += groupGap - gap
        }
        var legendX = left
        let legendY = y + 8
        var legend: [String] = []
        for (i, type) in types.enumerated() {
            legend.append("<rect x=\"\(f(legendX))\" y=\"\(f(legendY))\" width=\"12\" height=\"12\" fill=\"\(fills[i % fills.count])\" stroke=\"#000\" stroke-width=\"0.5\"/>")
            legend.append(text(x: legendX + 18, y: legendY + 10, anchor: "start", weight: "normal", labels.stakeholder(type)))
            legendX += 150
        }
        let height = legendY + 32
        let title = labels[.chartReachTitle]
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-labelledby="title desc" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
        <title id="title">\(escape(title)) — \(escape(period))</title>
        <desc id="desc">\(escape(labels.format(.chartReachDesc, period)))</desc>
        <rect width="100%" height="100%" fill="#fff"/>
        \(text(x: 10, y: 22, anchor: "start", weight: "bold", "\(title) — \(period)", size: 15))
        \(text(x: left, y: 44, anchor: "start", weight: "normal", labels[.chartPersons]))
        <line x1="\(f(left))" y1="\(f(top - 4))" x2="\(f(left))" y2="\(f(y - groupGap + gap + 4))" stroke="#000"/>
        \((body + legend).joined(separator: "\n"))
        </svg>

        """
    }

    static func text(x: Double, y: Double, anchor: String, weight: String, _ content: String, size: Int = 12) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" font-size=\"\(size)\">\(escape(content))</text>"
    }

    /// Coordinates with one decimal at most, so the bytes never depend on floating-point noise.
    static func f(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }
}
