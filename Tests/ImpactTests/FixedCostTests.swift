import Testing
import TestSupport
@testable import Indicators
@testable import Records
@testable import Report

/// The indicator and write stages' cheaper constructions, each checked against the plain one it replaced.
@Suite("Fixed cost: cheaper pieces equal the plain ones")
struct FixedCostTests {
    /// Random rows from few values, so that many keys are equal: `value` numbers the rows to see their order.
    static func rows(_ count: Int, seed: UInt64, indicators: [Indicator], words: [String]) -> [IndicatorRow] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            IndicatorRow(indicator: indicators.randomElement(using: &generator)!, period: words.randomElement(using: &generator)!,
                         territory: words.randomElement(using: &generator)!, stakeholderType: words.randomElement(using: &generator)!,
                         dimension: words.randomElement(using: &generator)!, category: words.randomElement(using: &generator)!,
                         value: Double(i), n: i)
        }
    }

    /// Equal keys keep their order, and `isSortedByKey` says exactly whether a naive stable sort would move a row.
    @Test func keySortIsStableAndItsCheckExact() {
        for (seed, words) in [(1, ["", "a"]), (2, ["é", "e", "ALL"]), (3, ["", "2025", "2025-S1", "Zoé"])] as [(UInt64, [String])] {
            let rows = Self.rows(3_000, seed: seed, indicators: [.actions, .participants, .hires], words: words)
            let naive = rows.enumerated().sorted { a, b in
                let x = a.element.key.joined(separator: "\0"), y = b.element.key.joined(separator: "\0")
                return x == y ? a.offset < b.offset : x.utf8.lexicographicallyPrecedes(y.utf8)
            }.map(\.element)
            let sorted = rows.sortedByKey()
            #expect(sorted.map(\.value) == naive.map(\.value))
            #expect(sorted.isSortedByKey)
            #expect(!rows.isSortedByKey)
            #expect(sorted.sortedByKey().map(\.value) == naive.map(\.value))
            // One pair out of order, anywhere, is seen.
            for i in stride(from: 1, to: sorted.count, by: 97) where sorted[i - 1].key != sorted[i].key {
                var swapped = sorted
                swapped.swapAt(i - 1, i)
                #expect(!swapped.isSortedByKey, "pair \(i)")
            }
        }
    }

    /// The links between figures, built from runs of rows of one cell (each hashed once), equal the
    /// construction keyed by string arrays, row by row.
    @Test func linksEqualArrayKeyedConstruction() {
        let indicators: [Indicator] = [.participants, .participations, .organisations, .responseRate, .hires, .hiresSustainable,
                                       .hiresUnknownLength, .hiresSustainableShare, .daysToHireMedian, .retained6m, .retained6mShare,
                                       .referrals, .conversionReferralToHire, .perceptionShift, .perceptionPreMean, .perceptionPostMean,
                                       .retroPerceptionShift, .perceptionShiftUnpaired]
        for seed in [5, 6, 7] as [UInt64] {
            // In key order (as protection has them), and in any order.
            for sorted in [true, false] {
                let random = Self.rows(4_000, seed: seed, indicators: indicators, words: ["", "ALL", "a", "b"])
                let rows = sorted ? random.sortedByKey() : random
                let links = Links(rows)
                // The construction before: dictionaries keyed by [String].
                var index: [[String]: Int] = [:]
                for (i, r) in rows.enumerated() where r.dimension.isEmpty && r.category.isEmpty { index[r.key] = i }
                var dependents: [Int: [Int]] = [:]
                var cells: [[String]: [Int]] = [:]
                for (i, r) in rows.enumerated() { cells[[r.indicator.id, r.period, r.territory, r.stakeholderType], default: []].append(i) }
                for (i, r) in rows.enumerated() where r.dimension.isEmpty {
                    for dependent in IndicatorCatalog.revealedBy[r.indicator] ?? [] {
                        if let j = index[[dependent.id, r.period, r.territory, r.stakeholderType, "", ""]] { dependents[i, default: []].append(j) }
                    }
                    for dependent in IndicatorCatalog.revealedAcross[r.indicator] ?? [] {
                        dependents[i, default: []] += cells[[dependent.id, r.period, r.territory, r.stakeholderType]] ?? []
                    }
                }
                #expect(!dependents.isEmpty)
                #expect(links.dependents == dependents)
                #expect(links.groups == IndicatorCatalog.perceptionGroups(rows))
            }
        }
    }

    /// Prose numbers grouped as bytes, whole numbers without printf, equal the text made through Characters and printf.
    @Test func proseEqualsCharacterGrouping() {
        func plain(_ value: Double, decimals: Int, language: String) -> String {
            let fixed = NumberText.cFormat("%.\(decimals)f", abs(value))
            let parts = fixed.split(separator: ".", omittingEmptySubsequences: false)
            let integer = String(parts[0])
            var grouped = ""
            for (i, c) in integer.enumerated() {
                if i > 0 && (integer.count - i) % 3 == 0 { grouped += language == "fr" ? "\u{202F}" : "," }
                grouped.append(c)
            }
            let sign = value < 0 && fixed.contains(where: { $0 != "0" && $0 != "." }) ? "−" : ""
            guard parts.count > 1 else { return sign + grouped }
            return sign + grouped + (language == "fr" ? "," : ".") + parts[1]
        }
        var generator = SeededGenerator(seed: 9)
        var values: [Double] = [0, -0.0, 1, -1, 7, 999, 1_000, -1_000, 12_345, 123_456, 1_234_567, 0.5, 1.5, 2.5, -0.4, -0.5, 0.049,
                                12_345.678, 999.95, 1e15, 1e15 - 1, -(1e15 - 1), 1e15 + 2, 7e20, .infinity, -.infinity, .nan]
        for _ in 0..<500 {
            values.append(Double(Int.random(in: -10_000_000...10_000_000, using: &generator)))
            values.append(Double.random(in: -100_000...100_000, using: &generator))
        }
        for value in values {
            for decimals in 0...3 {
                for language in ["fr", "en"] {
                    #expect(NumberText.prose(value, decimals: decimals, language: language) == plain(value, decimals: decimals, language: language),
                            "\(value) \(decimals) \(language)")
                }
            }
        }
    }
}
