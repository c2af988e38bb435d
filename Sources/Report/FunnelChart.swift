import Indicators
import Records

/// An SVG funnel: distinct candidates at each step, all territories; hidden counts not drawn.
/// One grey for every bar: the steps differ by length, not by meaning a shade could carry.
public enum FunnelChart {
    public static func svg(summary: RunSummary, period: String, labels: Labels) -> String? {
        chart(summary: summary, period: period, labels: labels)?.svg()
    }

    public static func chart(summary: RunSummary, period: String, labels: Labels) -> SVGChart? {
        let steps = HiringSection.steps.compactMap { step -> (String, Double?)? in
            guard let r = summary.row(step, period, rollUp, HiringIndicators.stakeholderType) else { return nil }
            return (labels.indicator(step), r.status == .ok ? r.value : nil)
        }
        let maximum = steps.compactMap(\.1).max() ?? 0
        guard maximum > 0 else { return nil }
        let left = max(170, (steps.map { SVGDocument.width($0.0) }.max() ?? 0) + 20), plot = 380.0, top = 56.0, rowHeight = 30.0
        var body = [SVGDocument.text(x: left + plot / 2, y: 44, anchor: "middle", weight: "normal", labels[.chartCandidates])]
        for (i, step) in steps.enumerated() {
            let y = top + Double(i) * rowHeight
            body.append(SVGDocument.text(x: left - 10, y: y + 15, anchor: "end", weight: "normal", step.0))
            if let value = step.1 {
                let w = max(1, value / maximum * plot)
                body.append(SVGDocument.rect(x: left + (plot - w) / 2, y: y, width: w, height: 22, fill: "#bdbdbd"))
                body.append(SVGDocument.text(x: left + plot / 2, y: y + 15, anchor: "middle", weight: "bold", labels.number(value)))
            } else {
                body.append(SVGDocument.text(x: left + plot / 2, y: y + 15, anchor: "middle", weight: "normal", labels[.suppressedMark]))
            }
        }
        return SVGDocument.chart(width: left + plot + 20, height: top + Double(steps.count) * rowHeight + 24,
                                 title: "\(labels[.chartFunnelTitle]) — \(period)", description: labels.format(.chartFunnelDesc, period), body: body)
    }
}
