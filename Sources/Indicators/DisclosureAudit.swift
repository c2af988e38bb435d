extension SmallCellProtection {
    /// Solves the published lines of every table as an attacker would — exact linear algebra over all
    /// of them together, then bounds (a hidden cell is at least 1: zeros are published) — and hides
    /// one more cell in a line of each hidden cell that is still recoverable. Complementary suppression
    /// alone (two hidden cells per line) leaves some recoverable: a hidden cell joining two blocks of
    /// hidden cells is fixed by their totals, and two hidden cells summing to 2 are both 1.
    /// Returns whether anything changed.
    static func audit(_ rows: inout [IndicatorRow], _ tables: [Table]) -> Bool {
        var equations: [(table: Int, line: (parts: [Int], total: Int?))] = []
        for (t, table) in tables.enumerated() {
            for line in lines(table) where line.parts.count + (line.total == nil ? 0 : 1) > 1 {
                if (line.parts + (line.total.map { [$0] } ?? [])).contains(where: { rows[$0].status == .suppressed }) {
                    equations.append((t, line))
                }
            }
        }
        guard !equations.isEmpty else { return false }
        var system = DisclosureSystem()
        for (t, line) in equations {
            let table = tables[t]
            var terms: [(cell: Int, sign: Int)] = line.parts.map { ($0, 1) }
            if let total = line.total { terms.append((total, -1)) }
            system.add(terms.map { term in (term.cell, term.sign, measure(rows[term.cell], table)) })
        }
        // One cell at a time (then the tables are completed and solved again): the smallest published
        // part of a line through a recoverable cell; a total (a headline figure, often another table's
        // part) only when no such line has a published part.
        let recoverable = system.recoverable().filter { rows[$0].status == .suppressed }.sorted()
        var best: (cell: Int, size: Double)?
        for cell in recoverable {
            for e in equations where e.line.parts.contains(cell) || e.line.total == cell {
                for p in e.line.parts where p != cell {
                    guard let size = measure(rows[p], tables[e.table]), size > 0 else { continue }
                    if best.map({ (size, rows[p].key.joined()) < ($0.size, rows[$0.cell].key.joined()) }) ?? true { best = (p, size) }
                }
            }
        }
        if best == nil {
            // Every line through them is hidden already: the smallest published part of any line
            // connected to them (the figure that, published, closes the system).
            var reached = Set(recoverable), frontier = recoverable
            while let cell = frontier.popLast() {
                for e in equations where e.line.parts.contains(cell) || e.line.total == cell {
                    for member in e.line.parts + (e.line.total.map { [$0] } ?? []) {
                        if rows[member].status == .suppressed {
                            if reached.insert(member).inserted { frontier.append(member) }
                        } else if member != e.line.total, let size = measure(rows[member], tables[e.table]), size > 0,
                                  best.map({ (size, rows[member].key.joined()) < ($0.size, rows[$0.cell].key.joined()) }) ?? true {
                            best = (member, size)
                        }
                    }
                }
            }
        }
        if let best {
            rows[best.cell].suppress()
            return true
        }
        for cell in recoverable {
            for e in equations where e.line.parts.contains(cell) || e.line.total == cell {
                if let total = e.line.total, total != cell, rows[total].status != .suppressed {
                    rows[total].suppress()
                    return true
                }
            }
        }
        return false
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
