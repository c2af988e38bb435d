import Indicators

/// The synthesis's perception figures: every dimension of every group, nulls included, each with its
/// interval and the shares improved and worsened; a dimension of low consistency by its statements.
extension PerceptionSection {
    /// One sentence per group and design naming each dimension by what it shows.
    func keyFigures(_ period: String) -> [Rich] {
        var out: [Rich] = []
        for type in Self.types(summary, period, labels: labels) {
            for (prefix, _, _) in Self.designs {
                let dims = dimensions(period, type, prefix)
                guard !dims.isEmpty else { continue }
                var groups: [Clarity: [String]] = [:], low: [String] = []
                for dimension in dims {
                    if lowConsistency(type, prefix, dimension) { low.append(dimension); continue }
                    groups[clarity(period, rollUp, type, prefix, "dimension", dimension), default: []].append(dimension)
                }
                var clauses: [String] = []
                for (clarity, key) in [(Clarity.up, LabelKey.keyClauseUp), (.down, .keyClauseDown), (.none, .keyClauseNone)] {
                    if let names = groups[clarity] { clauses.append(labels.format(key, quotedList(names))) }
                }
                if !low.isEmpty { clauses.append(labels.format(.keyClauseLow, quotedList(low))) }
                guard !clauses.isEmpty else { continue }
                out.append(labels.rich(.keyGroup, labels.stakeholder(type).lowercased(), designText(prefix),
                                       clauses.joined(separator: labels[.clauseSeparator])))
            }
        }
        return out
    }

    /// « A », « B » et « C ».
    func quotedList(_ dimensions: [String]) -> String {
        let quoted = dimensions.map { labels[.quoteOpen] + labels.dimension($0) + labels[.quoteClose] }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + labels[.listAnd] + (quoted.last ?? "")
    }

    func designText(_ prefix: String) -> String {
        labels[prefix == "retro_perception" ? .designRetrospectiveShort : .designProspectiveShort]
    }

    /// Every dimension of every group (all territories), each with its change and interval, the
    /// shares improved and worsened, n and what it reads as; statements under a low-consistency one.
    func keyTable(_ period: String) -> [Block] {
        var rows: [[String]] = []
        for type in Self.types(summary, period, labels: labels) {
            for (prefix, _, _) in Self.designs {
                // The group is named on its first line only.
                var group = "\(labels.stakeholder(type)) (\(designText(prefix)))"
                for dimension in dimensions(period, type, prefix) {
                    let low = lowConsistency(type, prefix, dimension)
                    rows.append([group, dimensionLabel(dimension) + (low ? " " + labels[.lowAlphaMark] : "")]
                                + brief(period, type, prefix, "dimension", dimension) + [reading(period, type, prefix, "dimension", dimension, low: low)])
                    group = ""
                    guard low else { continue }
                    for item in items(of: dimension) {
                        rows.append(["", labels[.itemIndent] + labels.item(item.id) + (item.reverse ? " ⟲" : "")]
                                    + brief(period, type, prefix, "item", item.id, asAnswered: item.reverse)
                                    + [reading(period, type, prefix, "item", item.id, low: false)])
                    }
                }
            }
        }
        guard !rows.isEmpty else { return [] }
        return [.table(Table(title: labels[.synthesisPerceptionTitle],
                             header: [labels[.colGroup], labels[.colDimension2], labels[.colShift], labels[.colImproved], labels[.colWorsened],
                                      labels[.colN], labels[.colReading]],
                             rows: rows, numericFrom: 2, numericTo: 5)),
                .note(labels.rich(.synthesisNote))]
    }

    /// Change [interval], improved, worsened, n (the dimension table's figures without the means).
    func brief(_ period: String, _ type: String, _ prefix: String, _ level: String, _ category: String, asAnswered: Bool = false) -> [String] {
        Array(figures(period, rollUp, type, prefix, level, category, asAnswered: asAnswered).dropFirst())
    }

    func reading(_ period: String, _ type: String, _ prefix: String, _ level: String, _ category: String, low: Bool) -> String {
        if low { return labels[.readingLow] }
        switch clarity(period, rollUp, type, prefix, level, category) {
        case .up: return labels[.readingUp]
        case .down: return labels[.readingDown]
        case .none: return labels[.readingNone]
        case .hidden: return labels[.suppressedMark]
        }
    }
}
