import Indicators
import Records

/// The synthesis's perception figures: every dimension of every group, nulls included, each with its
/// interval and the shares improved and worsened; a dimension of low consistency by its statements.
extension PerceptionSection {
    /// One sentence per group and design naming each dimension by what it shows.
    func keyFigures(_ period: String) -> [Rich] {
        var out: [Rich] = []
        for type in Self.types(summary, period, labels: labels) {
            for (design, _, _) in Self.designs {
                let dims = dimensions(period, type, design)
                guard !dims.isEmpty else { continue }
                var groups: [Clarity: [String]] = [:], low: [String] = []
                for dimension in dims {
                    if lowConsistency(type, design, dimension) { low.append(dimension); continue }
                    groups[clarity(period, rollUp, type, design, "dimension", dimension), default: []].append(dimension)
                }
                var clauses: [String] = []
                for (clarity, key) in [(Clarity.up, LabelKey.keyClauseUp), (.down, .keyClauseDown), (.none, .keyClauseNone)] {
                    if let names = groups[clarity] { clauses.append(labels.format(key, quotedList(names))) }
                }
                if !low.isEmpty { clauses.append(labels.format(.keyClauseLow, quotedList(low))) }
                guard !clauses.isEmpty else { continue }
                out.append(labels.rich(.keyGroup, labels.stakeholder(type).lowercased(), designText(design),
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

    func designText(_ design: SurveyDesign) -> String {
        labels[design == .retrospective ? .designRetrospectiveShort : .designProspectiveShort]
    }

    /// Every dimension of every group (all territories), each with its change and interval, the
    /// shares improved and worsened, n and what it reads as; statements under a low-consistency one.
    func keyTable(_ period: String) -> [Block] {
        var rows: [[String]] = []
        for type in Self.types(summary, period, labels: labels) {
            for (design, _, _) in Self.designs {
                // The group is named on its first line only.
                var group = "\(labels.stakeholder(type)) (\(designText(design)))"
                for dimension in dimensions(period, type, design) {
                    let low = lowConsistency(type, design, dimension)
                    rows.append([group, dimensionLabel(dimension) + (low ? " " + labels[.lowAlphaMark] : "")]
                                + brief(period, type, design, "dimension", dimension) + [reading(period, type, design, "dimension", dimension, low: low)])
                    group = ""
                    guard low else { continue }
                    for item in items(of: dimension) {
                        rows.append(["", labels[.itemIndent] + labels.item(item.id) + (item.reverse ? " ⟲" : "")]
                                    + brief(period, type, design, "item", item.id, asAnswered: item.reverse)
                                    + [reading(period, type, design, "item", item.id, low: false)])
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
    func brief(_ period: String, _ type: String, _ design: SurveyDesign, _ level: String, _ category: String, asAnswered: Bool = false) -> [String] {
        Array(figures(period, rollUp, type, design, level, category, asAnswered: asAnswered).dropFirst())
    }

    func reading(_ period: String, _ type: String, _ design: SurveyDesign, _ level: String, _ category: String, low: Bool) -> String {
        if low { return labels[.readingLow] }
        switch clarity(period, rollUp, type, design, level, category) {
        case .up: return labels[.readingUp]
        case .down: return labels[.readingDown]
        case .none: return labels[.readingNone]
        case .hidden: return labels[.suppressedMark]
        }
    }
}
