extension SmallCellProtection {
    /// One line of one table: its parts and its total.
    typealias Line = (parts: [Int], total: Int?)

    /// Solves the published lines of every table as an attacker would — exact linear algebra over all
    /// of them together, then bounds (a hidden cell is at least 1: zeros are published) — and, in each
    /// block of hidden cells with something still recoverable, hides one more cell: the smallest
    /// published member of a line through the block whose hiding leaves less to recover (a part or a
    /// total: two hidden parts summing to a published 2 need their total hidden, a cell joining two
    /// blocks of hidden cells a part of either). Complementary suppression alone (two hidden cells per
    /// line) leaves such cells. Returns whether anything changed.
    static func audit(_ rows: inout [IndicatorRow], _ tables: [Table], _ tableLines: [[Line]]) -> Bool {
        var equations: [(table: Int, line: Line)] = []
        for (t, lines) in tableLines.enumerated() {
            for line in lines where line.parts.count + (line.total == nil ? 0 : 1) > 1 {
                if line.parts.contains(where: { rows[$0].status == .suppressed }) || line.total.map({ rows[$0].status == .suppressed }) == true {
                    equations.append((t, line))
                }
            }
        }
        guard !equations.isEmpty else { return false }
        func members(_ e: (table: Int, line: Line)) -> [Int] { e.line.parts + (e.line.total.map { [$0] } ?? []) }
        /// What the attacker recovers from `subset` of the equations, `extra` hidden too.
        func recoverable(_ subset: [Int], extra: Int? = nil) -> Set<Int> {
            var system = DisclosureSystem()
            for e in subset {
                let (t, line) = equations[e]
                var terms: [(cell: Int, sign: Int)] = line.parts.map { ($0, 1) }
                if let total = line.total { terms.append((total, -1)) }
                system.add(terms.map { term in (term.cell, term.sign, term.cell == extra ? nil : measure(rows[term.cell], tables[t])) })
            }
            return system.recoverable().filter { rows[$0].status == .suppressed || $0 == extra }
        }
        let found = recoverable(Array(equations.indices))
        guard !found.isEmpty else { return false }
        // Blocks: hidden cells linked by the lines they share.
        var parent: [Int: Int] = [:]
        func root(_ x: Int) -> Int { var x = x; while let p = parent[x], p != x { x = p }; return x }
        var byCell: [Int: [Int]] = [:]
        for (e, equation) in equations.enumerated() {
            let hidden = members(equation).filter { rows[$0].status == .suppressed }
            for cell in members(equation) { byCell[cell, default: []].append(e) }
            for cell in hidden { parent[cell] = parent[cell] ?? cell }
            for cell in hidden.dropFirst() { parent[root(cell)] = root(hidden[0]) }
        }
        var changed = false
        for (_, block) in Dictionary(grouping: found, by: root).sorted(by: { $0.key < $1.key }) {
            let blockRoot = root(block[0])
            let inBlock = Set(parent.keys.filter { root($0) == blockRoot })
            let lines = Array(Set(inBlock.flatMap { byCell[$0] ?? [] })).sorted()
            var candidates: [(cell: Int, size: Double)] = []
            for e in lines {
                for cell in members(equations[e]) where rows[cell].status != .suppressed {
                    if let size = measure(rows[cell], tables[equations[e].table]), size > 0 { candidates.append((cell, size)) }
                }
            }
            candidates = Dictionary(candidates.map { ($0.cell, $0) }, uniquingKeysWith: { a, _ in a }).values
                .sorted { ($0.size, rows[$0.cell].key.joined()) < ($1.size, rows[$1.cell].key.joined()) }
            guard var pick = candidates.first?.cell else { continue }
            let before = found.intersection(inBlock).count
            for candidate in candidates.prefix(24) {
                let trialLines = Array(Set(lines + (byCell[candidate.cell] ?? []))).sorted()
                if recoverable(trialLines, extra: candidate.cell).intersection(inBlock.union([candidate.cell])).count < before {
                    pick = candidate.cell
                    break
                }
            }
            rows[pick].suppress()
            changed = true
        }
        return changed
    }
}

/// Linear relations between published and hidden cells: Σ sign × cell = 0 per line.
struct DisclosureSystem {
    /// Per equation: (unknown index, sign) and the known part moved to the right-hand side.
    private var equations: [(terms: [(unknown: Int, sign: Int)], constant: Double)] = []
    /// Hidden cell → unknown index, and back.
    private var unknownOf: [Int: Int] = [:]
    private var cells: [Int] = []

    /// Adds `Σ sign × cell = 0`; a cell's value is nil when hidden.
    mutating func add(_ terms: [(cell: Int, sign: Int, value: Double?)]) {
        var unknownTerms: [(unknown: Int, sign: Int)] = [], constant = 0.0
        for term in terms {
            guard term.value == nil else {
                constant -= Double(term.sign) * (term.value ?? 0)
                continue
            }
            let u = unknownOf[term.cell] ?? cells.count
            if u == cells.count { unknownOf[term.cell] = u; cells.append(term.cell) }
            unknownTerms.append((u, term.sign))
        }
        if !unknownTerms.isEmpty { equations.append((unknownTerms, constant)) }
    }

    /// Hidden cells whose value follows from the published ones.
    func recoverable() -> Set<Int> {
        Set((determined().union(pinned())).map { cells[$0] })
    }

    /// Unknowns fixed by the equations alone: unit vectors of the row space, found by Gauss–Jordan
    /// elimination modulo the prime 2³¹ − 1 (coefficients are ±1 and constants whole counts, so the
    /// rank and the values are the rational ones), one connected block of unknowns at a time. A block
    /// whose published figures contradict its equations (a person counted in two territories) tells
    /// the attacker the sums are not exact: it fixes nothing, and neither does a value of 0 (hidden
    /// cells are at least 1).
    func determined() -> Set<Int> {
        let p: Int64 = 2_147_483_647
        func inverse(_ a: Int64) -> Int64 {
            var result: Int64 = 1, base = a % p, e = p - 2
            while e > 0 {
                if e & 1 == 1 { result = result * base % p }
                base = base * base % p
                e >>= 1
            }
            return result
        }
        var found = Set<Int>()
        for block in blocks() {
            let columns = Array(Set(block.flatMap { equations[$0].terms.map(\.unknown) })).sorted()
            let column = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
            let width = columns.count + 1  // the last column holds the constant
            var matrix = block.map { e -> [Int64] in
                var line = [Int64](repeating: 0, count: width)
                for term in equations[e].terms {
                    let c = column[term.unknown] ?? 0
                    line[c] = (line[c] + Int64(term.sign) + p) % p
                }
                line[columns.count] = (Int64(equations[e].constant.rounded()) % p + p) % p
                return line
            }
            var pivots: [(row: Int, column: Int)] = []
            var r = 0
            for c in 0..<columns.count where r < matrix.count {
                guard let pivot = (r..<matrix.count).first(where: { matrix[$0][c] != 0 }) else { continue }
                matrix.swapAt(r, pivot)
                let scale = inverse(matrix[r][c])
                for j in c..<width { matrix[r][j] = matrix[r][j] * scale % p }
                for i in matrix.indices where i != r && matrix[i][c] != 0 {
                    let f = matrix[i][c]
                    for j in c..<width where matrix[r][j] != 0 { matrix[i][j] = ((matrix[i][j] - f * matrix[r][j]) % p + p) % p }
                }
                pivots.append((r, c))
                r += 1
            }
            guard matrix[r...].allSatisfy({ $0[columns.count] == 0 }) else { continue }
            let pivotColumns = Set(pivots.map(\.column))
            for (row, c) in pivots where matrix[row][columns.count] != 0
                && (0..<columns.count).allSatisfy({ $0 == c || pivotColumns.contains($0) || matrix[row][$0] == 0 }) {
                found.insert(columns[c])
            }
        }
        return found
    }

    /// Unknowns whose bounds meet: each hidden cell is at least 1, and each equation bounds every one
    /// of its unknowns by the others' bounds (repeated until nothing tightens).
    func pinned() -> Set<Int> {
        var low = [Double](repeating: 1, count: cells.count), high = [Double](repeating: .infinity, count: cells.count)
        var rounds = 0, changed = true
        while changed && rounds < 100 {
            changed = false
            rounds += 1
            for equation in equations {
                // The others' range is the whole range less the term's own (infinite bounds counted apart).
                var lowSum = 0.0, highSum = 0.0, infiniteHigh = 0, infiniteLow = 0
                for term in equation.terms {
                    let (a, b) = term.sign > 0 ? (low[term.unknown], high[term.unknown]) : (-high[term.unknown], -low[term.unknown])
                    if a.isFinite { lowSum += a } else { infiniteLow += 1 }
                    if b.isFinite { highSum += b } else { infiniteHigh += 1 }
                }
                for term in equation.terms {
                    let (a, b) = term.sign > 0 ? (low[term.unknown], high[term.unknown]) : (-high[term.unknown], -low[term.unknown])
                    let restLow = infiniteLow - (a.isFinite ? 0 : 1) > 0 ? -Double.infinity : lowSum - (a.isFinite ? a : 0)
                    let restHigh = infiniteHigh - (b.isFinite ? 0 : 1) > 0 ? Double.infinity : highSum - (b.isFinite ? b : 0)
                    // sign × x = constant − rest
                    let s = Double(term.sign)
                    var from = (equation.constant - restHigh) / s, to = (equation.constant - restLow) / s
                    if from > to { swap(&from, &to) }
                    if from.isFinite, (from - 1e-9).rounded(.up) > low[term.unknown] { low[term.unknown] = (from - 1e-9).rounded(.up); changed = true }
                    if to.isFinite, (to + 1e-9).rounded(.down) < high[term.unknown] { high[term.unknown] = (to + 1e-9).rounded(.down); changed = true }
                }
            }
        }
        // Crossed bounds mean a relation that is not exact (a person counted in two territories): no finding.
        return Set(cells.indices.filter { low[$0] == high[$0] })
    }

    /// Equations grouped by the unknowns they share (union–find).
    private func blocks() -> [[Int]] {
        var parent = Array(cells.indices)
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for equation in equations {
            guard let first = equation.terms.first?.unknown else { continue }
            for term in equation.terms.dropFirst() { parent[root(term.unknown)] = root(first) }
        }
        var byRoot: [Int: [Int]] = [:]
        for (e, equation) in equations.enumerated() {
            if let first = equation.terms.first?.unknown { byRoot[root(first), default: []].append(e) }
        }
        return byRoot.keys.sorted().compactMap { byRoot[$0] }
    }
}
