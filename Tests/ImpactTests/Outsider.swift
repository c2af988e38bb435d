import Foundation
import TestSupport
@testable import Ingest

/// What an outsider reads in an output folder: indicators.csv as published (never the run's memory).
struct PublishedFigures {
    struct Figure: Equatable {
        var value: Double?
        var n: Int?
        var ciLow: String
        var ciHigh: String
        var status: String
        var hidden: Bool { status == "suppressed" }
    }

    /// Key (indicator, period, territory, stakeholder type, dimension, category) → figure.
    var figures: [[String]: Figure] = [:]
    /// Keys in file order.
    var keys: [[String]] = []

    init(folder: String) throws {
        let lines = try records("\(folder)/indicators.csv")
        for cells in lines.dropFirst() where cells.count == 11 {
            let key = Array(cells[0..<6])
            keys.append(key)
            figures[key] = Figure(value: Double(cells[6]), n: Int(cells[7]), ciLow: cells[8], ciHigh: cells[9], status: cells[10])
        }
    }

    subscript(_ key: [String]) -> Figure? { figures[key] }
}

/// The outsider's attack: every relation the published figures obey, solved for hidden cells —
/// equal figures first (an `n` that is another row's count, a share times its `n`, attainment × target),
/// then every additive table as one linear system (exact elimination), then bounds (zeros are published,
/// so a hidden cell is at least 1), again and again until nothing new is found.
struct Outsider {
    let published: PublishedFigures
    /// Questionnaire dimensions with their items (the outsider knows the questionnaire).
    let dimensions: [String: [String]]
    /// Cells the outsider solved, with the value found.
    private(set) var solved: [[String]: Double] = [:]

    init(_ published: PublishedFigures, dimensions: [String: [String]]) {
        self.published = published
        self.dimensions = dimensions
    }

    /// Pseudo-indicators for a share's parts: `#n` its n, `#answered` its numerator (value × n).
    static func base(_ key: [String]) -> (key: [String], part: String?) {
        guard let mark = key[0].firstIndex(of: "#") else { return (key, nil) }
        return ([String(key[0][..<mark])] + key[1...], String(key[0][key[0].index(after: mark)...]))
    }

    /// Whether the figure a key (or pseudo-key) stands for is hidden.
    func isHidden(_ key: [String]) -> Bool { published[Self.base(key).key]?.hidden == true }

    /// The additive quantity of a cell: its count (`n` for perception keys), nil when hidden and not solved.
    func known(_ key: [String]) -> Double? {
        if let s = solved[key] { return s }
        if let part = Self.base(key).part {
            guard let f = published[Self.base(key).key], !f.hidden, let n = f.n.map(Double.init) else { return nil }
            return part == "n" ? n : f.value.map { ($0 * n).rounded() }
        }
        guard let f = published[key] else { return perceptionFamily(key[0]) != nil || isCount(key[0]) ? 0 : nil }
        if f.hidden { return nil }
        return perceptionFamily(key[0]) != nil ? f.n.map(Double.init) : f.value
    }

    func isCount(_ indicator: String) -> Bool {
        ["participations", "participants", "organisations", "theme_mentions", "referrals", "interviews", "immersions", "hires",
         "retained_6m", "hires_sustainable", "hires_unknown_length", "hires_after_action"].contains(indicator)
    }

    /// "perception" or "retro" for the rows of a perception key (they share its n), nil otherwise.
    func perceptionFamily(_ indicator: String) -> String? {
        if indicator == "perception_shift_unpaired" { return nil }
        if indicator.hasPrefix("retro_perception_") { return "retro" }
        return indicator.hasPrefix("perception_") ? "perception" : nil
    }

    /// Runs the attack to its end.
    mutating func attack() {
        var progress = true
        while progress {
            let before = solved.count
            equalities()
            linear()
            progress = solved.count > before
        }
    }

    /// Hidden cells whose value appears elsewhere.
    private mutating func equalities() {
        let rows = published.figures
        func learn(_ key: [String], _ value: Double) {
            guard rows[key]?.hidden == true, solved[key] == nil else { return }
            solved[key] = value
        }
        for (key, f) in rows where !f.hidden {
            let (indicator, cell) = (key[0], Array(key[1..<4]))
            let plain = { (name: String) in [name] + cell + ["", ""] }
            if let n = f.n.map(Double.init) {
                switch indicator {
                case "participations", "organisations": if key[4].isEmpty { learn(plain("participants"), n) }
                case "days_to_hire_median": learn(plain("hires"), n)
                case "conversion_referral_to_hire": learn(plain("referrals"), n)
                // The durable share's n is the hires of known length: hires = n + unknown lengths.
                case "hires_sustainable_share":
                    if let unknown = known(plain("hires_unknown_length")) { learn(plain("hires"), n + unknown) }
                    if let hires = known(plain("hires")) { learn(plain("hires_unknown_length"), hires - n) }
                // A response rate's n is the persons listed: the participants where no head count is added.
                case "response_rate": learn(plain("participants"), n)
                default: break
                }
                if let family = perceptionFamily(indicator) {
                    // Any figure of a key gives the key's n (the outsider's unknown is the shift row).
                    learn([family == "retro" ? "retro_perception_shift" : "perception_shift"] + Array(key[1...]), n)
                }
                if key[4] == "target" { learn([indicator] + cell + ["", ""], n) }
            }
            if indicator == "hires_sustainable_share", let v = f.value, let n = f.n {
                learn(plain("hires_sustainable"), (v * Double(n)).rounded())
            }
            if indicator == "retained_6m_share", let v = f.value, let n = f.n {
                learn(plain("retained_6m"), (v * Double(n)).rounded())
            }
            if key[4] == "target" && key[5] == "attainment", let a = f.value,
               let target = rows[Array(key[0..<5]) + ["target"]]?.value {
                learn([indicator] + cell + ["", ""], a * target)
            }
        }
        // An item that is its dimension's only one has the dimension's n.
        for (dimension, items) in dimensions where items.count == 1 {
            for (key, _) in rows where perceptionFamily(key[0]) != nil && key[0].hasSuffix("_shift") {
                let other: [String]
                if key[4] == "dimension" && key[5] == dimension { other = Array(key[0..<4]) + ["item", items[0]] }
                else if key[4] == "item" && key[5] == items[0] { other = Array(key[0..<4]) + ["dimension", dimension] }
                else { continue }
                if let n = known(other) { learn(key, n) }
            }
        }
    }

    /// Every additive line of every table: Σ parts − total = 0 (`exact`), or, for counts of distinct
    /// persons (one may be in two territories or types), total ≤ Σ parts and each part ≤ total.
    func lines() -> [(terms: [([String], Double)], exact: Bool)] {
        var result: [(terms: [([String], Double)], exact: Bool)] = []
        let exactTables: Set<String> = ["participations", "perception_shift", "retro_perception_shift"]
        let keys = published.keys
        // Territory × stakeholder-type tables with ALL margins (counts, and perception pairs by n).
        let crossIndicators: Set<String> = ["participations", "participants", "organisations", "theme_mentions",
                                            "perception_shift", "retro_perception_shift", "perception_shift_unpaired"]
        let cross = Dictionary(grouping: keys.filter { crossIndicators.contains($0[0]) }) { [$0[0], $0[1], $0[4], $0[5]] }
        for (table, cells) in cross {
            let territories = Set(cells.map { $0[2] }), types = Set(cells.map { $0[3] })
            func key(_ t: String, _ s: String) -> [String] { [table[0], table[1], t, s, table[2], table[3]] }
            for t in territories {
                result.append((types.filter { $0 != "ALL" }.map { (key(t, $0), 1) } + [(key(t, "ALL"), -1)], exactTables.contains(table[0])))
            }
            for s in types {
                result.append((territories.filter { $0 != "ALL" }.map { (key($0, s), 1) } + [(key("ALL", s), -1)], exactTables.contains(table[0])))
            }
        }
        // Hiring counts per territory against ALL; hires by contract or referrer against the hires.
        let hiring = keys.filter { isCount($0[0]) && !crossIndicators.contains($0[0]) && ($0[4].isEmpty || $0[0] == "hires") && $0[4] != "target" }
        for (table, cells) in Dictionary(grouping: hiring, by: { [$0[0], $0[1], $0[3], $0[4]] }) where table[3].isEmpty {
            let territories = Set(cells.map { $0[2] })
            result.append((territories.filter { $0 != "ALL" }.map { ([table[0], table[1], $0, table[2], "", ""], 1) }
                           + [([table[0], table[1], "ALL", table[2], "", ""], -1)], false))
        }
        // Territories add up to ALL for the retention share's observed hires, the response rates'
        // persons listed and persons who answered (persons may be in two territories: not exact).
        for (table, cells) in Dictionary(grouping: keys.filter { $0[0] == "retained_6m_share" || $0[0] == "response_rate" },
                                         by: { [$0[0], $0[1], $0[3], $0[4], $0[5]] }) {
            let territories = Set(cells.map { $0[2] }).subtracting(["ALL"])
            for part in table[0] == "response_rate" ? ["#n", "#answered"] : ["#n"] {
                func key(_ t: String) -> [String] { [table[0] + part, table[1], t, table[2], table[3], table[4]] }
                result.append((territories.map { (key($0), 1) } + [(key("ALL"), -1)], false))
            }
        }
        // Linked hires by who took part add up to the linked hires.
        for (table, cells) in Dictionary(grouping: keys.filter { $0[0] == "hires_after_action" && $0[4] == "link" }, by: { [$0[1], $0[2], $0[3]] }) {
            result.append((cells.map { ($0, 1) } + [(["hires_after_action", table[0], table[1], table[2], "", ""], -1)], true))
        }
        // Pairs by number of actions attended add up to the dimension's pairs when every respondent was
        // found on the sheets: the attacker assumes they were.
        for (table, cells) in Dictionary(grouping: keys.filter { $0[0].hasSuffix("perception_shift_by_actions_attended") },
                                         by: { [$0[0], $0[1], $0[2], $0[3], $0[4]] }) {
            let base = String(table[0].dropLast("_by_actions_attended".count))
            result.append((cells.map { ($0, 1) } + [([base, table[1], table[2], table[3], "dimension", table[4]], -1)], true))
        }
        for breakdown in ["contract_type", "referrer_type"] {
            let cells = hiring.filter { $0[4] == breakdown }
            for (period, inPeriod) in Dictionary(grouping: cells, by: { $0[1] }) {
                let territories = Set(inPeriod.map { $0[2] }).union(["ALL"]), categories = Set(inPeriod.map { $0[5] })
                // Each hired candidate has one principal hire per cell: a row adds up exactly.
                for t in territories {
                    result.append((categories.map { (["hires", period, t, "candidat", breakdown, $0], 1) }
                                   + [(["hires", period, t, "candidat", "", ""], -1)], true))
                }
                for c in categories {
                    result.append((territories.filter { $0 != "ALL" }.map { (["hires", period, $0, "candidat", breakdown, c], 1) }
                                   + [(["hires", period, "ALL", "candidat", breakdown, c], -1)], false))
                }
            }
        }
        return result
    }

    /// Linear algebra on every line taken as exact, block by block (a block whose published figures
    /// contradict exactness is dropped: the attacker sees the assumption fail), then sound bounds.
    private mutating func linear() {
        var unknownIndex: [[String]: Int] = [:], unknowns: [[String]] = []
        var system: [(coefficients: [Int: Double], constant: Double, exact: Bool)] = []
        for line in lines() {
            var coefficients: [Int: Double] = [:], constant = 0.0
            for (key, sign) in line.terms {
                if let v = known(key) { constant -= sign * v; continue }
                let u = unknownIndex[key] ?? unknowns.count
                if u == unknowns.count { unknownIndex[key] = u; unknowns.append(key) }
                coefficients[u, default: 0] += sign
            }
            if !coefficients.isEmpty { system.append((coefficients, constant, line.exact)) }
        }
        guard !unknowns.isEmpty else { return }
        var parent = Array(unknowns.indices)
        func root(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        for eq in system { let us = eq.coefficients.keys.sorted(); for u in us.dropFirst() { parent[root(u)] = root(us[0]) } }
        for (_, block) in Dictionary(grouping: system.indices, by: { root(system[$0].coefficients.keys.min() ?? 0) }) {
            let columns = Array(Set(block.flatMap { system[$0].coefficients.keys })).sorted()
            let at = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
            var m = block.map { e -> [Double] in
                var row = [Double](repeating: 0, count: columns.count + 1)
                for (u, c) in system[e].coefficients { row[at[u] ?? 0] = c }
                row[columns.count] = system[e].constant
                return row
            }
            var pivotRow = 0, pivots: [(row: Int, column: Int)] = []
            for c in 0..<columns.count where pivotRow < m.count {
                guard let p = (pivotRow..<m.count).max(by: { abs(m[$0][c]) < abs(m[$1][c]) }), abs(m[p][c]) > 1e-9 else { continue }
                m.swapAt(pivotRow, p)
                let scale = m[pivotRow][c]
                for j in 0...columns.count { m[pivotRow][j] /= scale }
                for i in m.indices where i != pivotRow && abs(m[i][c]) > 1e-12 {
                    let f = m[i][c]
                    for j in 0...columns.count { m[i][j] -= f * m[pivotRow][j] }
                }
                pivots.append((pivotRow, c))
                pivotRow += 1
            }
            let consistent = m[pivotRow...].allSatisfy { abs($0[columns.count]) < 1e-6 }
            guard consistent else { continue }
            for (row, c) in pivots where (0..<columns.count).allSatisfy({ $0 == c || abs(m[row][$0]) < 1e-9 }) {
                let value = m[row][columns.count]
                if isHidden(unknowns[columns[c]]), value >= 0.5, abs(value - value.rounded()) < 1e-6 {
                    solved[unknowns[columns[c]]] = value.rounded()
                }
            }
        }
        // Bounds: a hidden cell is ≥ 1; an exact line bounds each unknown by the others; a line of
        // distinct persons gives total ≤ Σ parts and part ≤ total.
        var low = [Double](repeating: 1, count: unknowns.count), high = [Double](repeating: .infinity, count: unknowns.count)
        func tighten(_ u: Int, _ a: Double, _ b: Double) -> Bool {
            var changed = false
            if a.isFinite, (a - 1e-9).rounded(.up) > low[u] { low[u] = (a - 1e-9).rounded(.up); changed = true }
            if b.isFinite, (b + 1e-9).rounded(.down) < high[u] { high[u] = (b + 1e-9).rounded(.down); changed = true }
            return changed
        }
        for _ in 0..<60 {
            var tightened = false
            for eq in system {
                for (u, c) in eq.coefficients {
                    var restLow = 0.0, restHigh = 0.0
                    for (v, d) in eq.coefficients where v != u {
                        restLow += d > 0 ? d * low[v] : d * high[v]
                        restHigh += d > 0 ? d * high[v] : d * low[v]
                    }
                    // c·x + rest = constant (exact), or c·x + rest ≥ constant with parts positive, total negative.
                    if eq.exact {
                        var a = (eq.constant - restHigh) / c, b = (eq.constant - restLow) / c
                        if a > b { swap(&a, &b) }
                        if tighten(u, a, b) { tightened = true }
                    } else if c > 0 {
                        if tighten(u, eq.constant - restHigh, .infinity) { tightened = true }
                    } else {
                        if tighten(u, -.infinity, restHigh - eq.constant) { tightened = true }
                    }
                }
            }
            if !tightened { break }
        }
        for u in unknowns.indices where low[u] == high[u] && solved[unknowns[u]] == nil && isHidden(unknowns[u]) {
            solved[unknowns[u]] = low[u]
        }
    }
}
