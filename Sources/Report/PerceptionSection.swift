import Indicators
import Records

/// The "Évolution des perceptions" section: per stakeholder type and design, tables, a chart,
/// and one plain sentence per statistically clear change.
struct PerceptionSection {
    let summary: RunSummary
    let labels: Labels
    /// Chart per "period/type/design".
    let charts: [String: ChartFile]

    static let designs = [("perception", LabelKey.perceptionProspective, LabelKey.perceptionProspectiveLead),
                          ("retro_perception", LabelKey.perceptionRetrospective, LabelKey.perceptionRetrospectiveLead)]

    /// Stakeholder types with perception figures in `period`, in vocabulary order.
    static func types(_ summary: RunSummary, _ period: String, labels: Labels) -> [String] {
        let present = Set(summary.rows.filter { $0.period == period && $0.indicator.hasSuffix("perception_shift") }.map(\.stakeholderType))
        return labels.stakeholders.ids.filter(present.contains)
    }

    func render() -> [Block] {
        guard summary.rows.contains(where: { $0.indicator.hasSuffix("perception_shift") }) else { return [] }
        var blocks: [Block] = [.heading(2, [.text(labels[.perception])])]
        for period in summary.periods {
            if summary.periods.count > 1 { blocks.append(.heading(3, [.text("\(labels[.period]) \(period)")])) }
            for type in Self.types(summary, period, labels: labels) {
                for (prefix, title, lead) in Self.designs {
                    let dims = dimensions(period, type, prefix)
                    guard !dims.isEmpty else { continue }
                    blocks += [.heading(3, [.text("\(labels.stakeholder(type)) — \(labels[title])")]), .paragraph(labels.rich(lead))]
                    let sentences = dims.compactMap { sentence(period, rollUp, type, prefix, $0) }
                    blocks.append(sentences.isEmpty ? .paragraph(labels.rich(.noSignificant)) : .list(sentences))
                    blocks.append(.table(dimensionTable(period, type, prefix, dims)))
                    if let chart = charts["\(period)/\(type)/\(prefix)"] { blocks.append(.figure(Figure(alt: labels[.chartShiftTitle], chart))) }
                    blocks += itemTable(period, type, prefix)
                    if prefix == "perception" { blocks += unpaired(period, type, dims) }
                }
            }
        }
        if blocks.holds(labels[.suppressedMark]) { blocks.append(.note(labels.rich(.suppressedNote, String(summary.privacyK)))) }
        return blocks
    }

    func dimensions(_ period: String, _ type: String, _ prefix: String) -> [String] {
        let present = Set(summary.rows.filter {
            $0.period == period && $0.stakeholderType == type && $0.indicator == "\(prefix)_shift" && $0.dimension == "dimension"
        }.map(\.category))
        return summary.questionnaire.dimensions.map(\.id).filter(present.contains)
    }

    /// "Chez les prescripteurs : « Attractivité » progresse de +0,55 point…" when p < 0.05 and the interval excludes 0.
    func sentence(_ period: String, _ territory: String, _ type: String, _ prefix: String, _ dimension: String) -> Rich? {
        func row(_ name: String) -> IndicatorRow? {
            summary.row("\(prefix)_\(name)", period, territory, type, dimension: "dimension", category: dimension)
        }
        guard let shift = row("shift"), shift.status == .ok, let value = shift.value, let low = shift.ciLow, let high = shift.ciHigh,
              let p = row("wilcoxon_p"), p.status == .ok, let pValue = p.value, pValue < 0.05, low > 0 || high < 0,
              let improved = row("improved_share")?.value else { return nil }
        return labels.rich(.significantSentence, labels.stakeholder(type), labels.dimension(dimension),
                             labels[value > 0 ? .shiftUp : .shiftDown], labels.signed(value), labels.signed(low), labels.signed(high),
                             labels.percent(improved), labels.number(shift.count), labels.pValue(pValue))
    }

    func dimensionTable(_ period: String, _ type: String, _ prefix: String, _ dims: [String]) -> Table {
        let territories = Set(summary.rows.filter { $0.period == period && $0.indicator == "\(prefix)_shift" && $0.stakeholderType == type }
            .map(\.territory)).subtracting([rollUp]).sorted() + [rollUp]
        var rows: [[String]] = []
        for dimension in dims {
            for territory in territories {
                rows.append([labels.dimension(dimension), labels.territory(territory)]
                            + figures(period, territory, type, prefix, "dimension", dimension))
            }
        }
        return Table(header: [labels[.colDimension2], labels[.colTerritory], labels[.colBeforeAfter], labels[.colShift],
                              labels[.colImproved], labels[.colN]], rows: rows, numericFrom: 2)
    }

    func itemTable(_ period: String, _ type: String, _ prefix: String) -> [Block] {
        let rows = summary.questionnaire.items.compactMap { item -> [String]? in
            guard summary.row("\(prefix)_shift", period, rollUp, type, dimension: "item", category: item.id) != nil else { return nil }
            let label = item.reverse ? "\(labels.item(item.id)) ⟲" : labels.item(item.id)
            return [label] + figures(period, rollUp, type, prefix, "item", item.id)
        }
        var blocks: [Block] = [.table(Table(title: labels[.perceptionByItem],
                                            header: [labels[.colItem], labels[.colBeforeAfter], labels[.colShift], labels[.colImproved], labels[.colN]],
                                            rows: rows, numericFrom: 1))]
        if summary.questionnaire.items.contains(where: \.reverse) { blocks.append(.note(labels.rich(.reverseFootnote))) }
        return blocks
    }

    /// Before → after, change [interval], share improved, n — or the secrecy mark.
    func figures(_ period: String, _ territory: String, _ type: String, _ prefix: String, _ dimension: String, _ category: String) -> [String] {
        func row(_ name: String) -> IndicatorRow? {
            summary.row("\(prefix)_\(name)", period, territory, type, dimension: dimension, category: category)
        }
        guard let shift = row("shift") else { return ["—", "—", "—", "—"] }
        guard shift.status != .suppressed, let value = shift.value else {
            return [labels[.suppressedMark], labels[.suppressedMark], labels[.suppressedMark], labels[.suppressedMark]]
        }
        let before = row("pre_mean")?.value.map { labels.number($0, decimals: 2) } ?? "—"
        let after = row("post_mean")?.value.map { labels.number($0, decimals: 2) } ?? "—"
        var change = labels.signed(value)
        if let low = shift.ciLow, let high = shift.ciHigh { change += labels.interval(low, high) }
        let improved = row("improved_share")?.value.map(labels.percent) ?? "—"
        return ["\(before) → \(after)", change, improved, labels.number(shift.count)]
    }

    func unpaired(_ period: String, _ type: String, _ dims: [String]) -> [Block] {
        let rows = dims.compactMap { dimension -> [String]? in
            guard let r = summary.row("perception_shift_unpaired", period, rollUp, type, dimension: "dimension", category: dimension) else { return nil }
            guard r.status != .suppressed, let value = r.value else {
                return [labels.dimension(dimension), labels[.suppressedMark], labels[.suppressedMark]]
            }
            var text = labels.signed(value)
            if let low = r.ciLow, let high = r.ciHigh { text += labels.interval(low, high) }
            return [labels.dimension(dimension), text, labels.number(r.count)]
        }
        guard !rows.isEmpty else { return [] }
        return [.paragraph(labels.rich(.unpairedLead)),
                .table(Table(header: [labels[.colDimension2], labels[.colPreOnly], labels[.colPostOnly]], rows: rows, numericFrom: 1))]
    }

    /// Cronbach's alpha lines for the method section.
    func reliability() -> [Block] {
        guard !summary.reliability.isEmpty else { return [] }
        let rows = summary.reliability.map { r -> [String] in
            guard let n = r.n else {
                return [labels.stakeholder(r.type), labels.dimension(r.dimension), labels.number(r.items), labels[.suppressedMark],
                        labels[.suppressedMark]]
            }
            let alpha = r.alpha.map { labels.number($0, decimals: 2) + ($0 < 0 ? " ⚠" : "") } ?? "—"
            return [labels.stakeholder(r.type), labels.dimension(r.dimension), labels.number(r.items), labels.number(n), alpha]
        }
        // The warning goes under the table: a sentence in a number column would not fit a printed page.
        let negative = summary.reliability.contains { ($0.alpha ?? 0) < 0 }
        return [.paragraph(labels.rich(.reliabilityLead)), .table(Table(
            header: [labels[.colStakeholder].capitalizedFirst, labels[.colDimension2], labels[.colItems], labels[.colN], labels[.colAlpha]],
            rows: rows, numericFrom: 2))] + (negative ? [.note([.text("⚠ " + labels[.alphaNegative] + ".")])] : [])
    }

    /// The synthesis's perception figure: the largest clear change per stakeholder type and design.
    func keyFigures(_ period: String) -> [Rich] {
        var out: [Rich] = []
        for type in Self.types(summary, period, labels: labels) {
            for (prefix, _, _) in Self.designs {
                let clear = dimensions(period, type, prefix).compactMap { d -> (String, IndicatorRow)? in
                    guard sentence(period, rollUp, type, prefix, d) != nil,
                          let row = summary.row("\(prefix)_shift", period, rollUp, type, dimension: "dimension", category: d) else { return nil }
                    return (d, row)
                }.sorted { abs($0.1.value ?? 0) > abs($1.1.value ?? 0) }.prefix(1)
                for (dimension, row) in clear {
                    guard let value = row.value, let low = row.ciLow, let high = row.ciHigh else { continue }
                    let perceived = prefix == "retro_perception" ? " — \(labels[.retroPrefix])" : ""
                    out.append(labels.rich(.keyShift, labels.stakeholder(type).lowercased(), labels.dimension(dimension),
                                             labels[value > 0 ? .shiftUp : .shiftDown], labels.signed(value), labels.signed(low),
                                             labels.signed(high), labels.number(row.count), perceived))
                }
            }
        }
        return out
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
