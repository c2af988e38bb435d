#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// Whether a figure is published.
public enum IndicatorStatus: String, Sendable, Comparable {
    case ok
    /// Rests on fewer than k persons, or hidden so that another hidden figure cannot be recovered.
    case suppressed
    /// Too few data to compute (e.g. an interval with n < 2).
    case insufficient

    public static func < (a: IndicatorStatus, b: IndicatorStatus) -> Bool { a.rawValue < b.rawValue }
}

/// One row of indicators.csv (the output contract).
///
/// A suppressed row carries no figure at all: `value`, `n`, `ciLow` and `ciHigh` are nil (for a count,
/// `n` *is* the value). The status changes only through `suppress()`, and a row built or read as
/// suppressed is blanked by its initialiser, so no writer can publish a hidden figure by forgetting.
public struct IndicatorRow: Hashable, Sendable {
    public var indicator: Indicator
    public var period: String
    public var territory: String
    public var stakeholderType: String
    public var dimension: String
    public var category: String
    public private(set) var value: Double?
    /// The units the figure rests on (see README "Outputs"); nil when not published.
    public private(set) var n: Int?
    public private(set) var ciLow: Double?
    public private(set) var ciHigh: Double?
    public private(set) var status: IndicatorStatus

    public init(indicator: Indicator, period: String, territory: String, stakeholderType: String,
                dimension: String = "", category: String = "", value: Double?, n: Int?,
                ciLow: Double? = nil, ciHigh: Double? = nil, status: IndicatorStatus = .ok) {
        self.indicator = indicator
        self.period = period
        self.territory = territory
        self.stakeholderType = stakeholderType
        self.dimension = dimension
        self.category = category
        self.value = value
        self.n = n
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.status = status
        if status == .suppressed { suppress() }
    }

    /// The key columns, in contract order; rows sort by them byte-wise.
    public var key: [String] { [indicator.id, period, territory, stakeholderType, dimension, category] }

    /// The count the figure rests on, before any publication (0 when unknown): what protection compares with k.
    public var count: Int { n ?? 0 }

    /// Hides every figure of the row: value, n and interval.
    public mutating func suppress() {
        value = nil
        n = nil
        ciLow = nil
        ciHigh = nil
        status = .suppressed
    }
}

extension Array where Element == IndicatorRow {
    /// Sorted by every key column, comparing UTF-8 bytes (locale-free, hence deterministic).
    ///
    /// The keys are laid out once, one after the other in one byte buffer (each field followed by
    /// 0x00, which no field holds), not built inside the comparator (docs/performance.md).
    public func sortedByKey() -> [IndicatorRow] {
        // The writers get rows already sorted: one pass says so, and the stable sort would keep them as they are.
        if isSortedByKey { return self }
        // Many rows: each half sorted on its own core, then merged (the first half first on equal keys: stable).
        guard count >= 4_096, Cores.available > 1 else { return keySorted() }
        let half = count / 2
        let halves = Parallel.map(2) { parts in parts.map { Array(self[$0 == 0 ? 0..<half : half..<count]).keySorted() } }
        return halves[0].merged(halves[1])
    }

    /// `self`, sorted by key, with `rows` added: `(self + rows).sortedByKey()`, but only `rows` sorted
    /// and merged in (the published rows are sorted once protected; a few rows are added after).
    public func addingSortedByKey(_ rows: [IndicatorRow]) -> [IndicatorRow] {
        assert(isSortedByKey, "addingSortedByKey on rows out of key order")
        return merged(rows.sortedByKey())
    }

    /// Two arrays sorted by key as one; on equal keys `self`'s rows come first.
    func merged(_ other: [IndicatorRow]) -> [IndicatorRow] {
        var out: [IndicatorRow] = []
        out.reserveCapacity(count + other.count)
        var (i, j) = (0, 0)
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                while i < a.count && j < b.count {
                    if keyOrder(a[i], b[j]) <= 0 { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
                }
            }
        }
        return out + self[i...] + other[j...]
    }

    /// The stable sort itself, in one piece.
    func keySorted() -> [IndicatorRow] {
        // Lengths first, then the bytes copied into a buffer of that size (appending to an array
        // field by field took 400 instructions a field).
        var starts: [Int] = []
        starts.reserveCapacity(count + 1)
        var total = 0
        withUnsafeBufferPointer { rows in
            for row in rows {
                starts.append(total)
                total += row.indicator.id.utf8.count + row.period.utf8.count + row.territory.utf8.count
                    + row.stakeholderType.utf8.count + row.dimension.utf8.count + row.category.utf8.count + 6
            }
        }
        starts.append(total)
        let keys = [UInt8](unsafeUninitializedCapacity: Swift.max(total, 1)) { buffer, initialised in
            buffer.initialize(repeating: 0)  // the byte after each field
            var at = 0
            withUnsafeBufferPointer { rows in
                for row in rows {
                    for var field in [row.indicator.id, row.period, row.territory, row.stakeholderType, row.dimension, row.category] {
                        field.withUTF8 { utf8 in
                            if let base = utf8.baseAddress { (buffer.baseAddress! + at).update(from: base, count: utf8.count) }
                            at += utf8.count + 1
                        }
                    }
                }
            }
            initialised = buffer.count
        }
        // Stable: equal keys keep their order.
        let order = keys.withUnsafeBufferPointer { keys in
            starts.withUnsafeBufferPointer { starts in
                indices.sorted { i, j in
                    let a = starts[i], b = starts[j], la = starts[i + 1] - a, lb = starts[j + 1] - b
                    let n = Swift.min(la, lb)
                    let m = n == 0 ? 0 : memcmp(keys.baseAddress! + a, keys.baseAddress! + b, n)
                    let c = m != 0 ? Int(m) : la - lb
                    return c != 0 ? c < 0 : i < j
                }
            }
        }
        return order.map { self[$0] }
    }

    /// Whether no row's key is above the next one's, in `sortedByKey`'s order (fields compared as
    /// UTF-8 bytes in key order, which is the order of the keys joined by 0x00). Read in place:
    /// a row copied out of the array retains and releases its five strings.
    var isSortedByKey: Bool {
        withUnsafeBufferPointer { rows in rows.indices.dropFirst().allSatisfy { keyOrder(rows[$0 - 1], rows[$0]) <= 0 } }
    }
}

/// Negative, zero or positive as `a`'s key comes before, equals or comes after `b`'s, in `sortedByKey`'s order.
@inline(__always)
private func keyOrder(_ a: IndicatorRow, _ b: IndicatorRow) -> Int {
    var c = a.indicator == b.indicator ? 0 : utf8Order(a.indicator.id, b.indicator.id)
    if c == 0 { c = fieldOrder(a.period, b.period) }
    if c == 0 { c = fieldOrder(a.territory, b.territory) }
    if c == 0 { c = fieldOrder(a.stakeholderType, b.stakeholderType) }
    if c == 0 { c = fieldOrder(a.dimension, b.dimension) }
    if c == 0 { c = fieldOrder(a.category, b.category) }
    return c
}

/// `utf8Order`, after `==`, which answers at once for the same bits (neighbouring rows mostly share their fields).
@inline(__always)
private func fieldOrder(_ a: String, _ b: String) -> Int {
    a == b ? 0 : utf8Order(a, b)
}

/// Negative, zero or positive as `a`'s UTF-8 bytes come before, equal or after `b`'s (not String's
/// `<`, which holds canonically equivalent spellings equal).
@inline(__always)
func utf8Order(_ a: String, _ b: String) -> Int {
    var a = a, b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            let n = Swift.min(x.count, y.count)
            let m = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
            return m != 0 ? Int(m) : x.count - y.count
        }
    }
}

/// What small-cell protection knows of the indicators besides `Indicator.isPersonBased`.
public enum IndicatorCatalog {
    /// Counts published in territory × stakeholder-type tables with `ALL` margins.
    public static let additive: Set<Indicator> = [.participations, .participants, .organisations, .themeMentions]

    /// Hiring counts published in territory tables (primary and complementary suppression apply).
    public static let hiringCounts = Set(Indicator.allCases.filter { $0.isHiring && $0.unit == .persons })

    /// Perception figures whose `n` (pairs, or respondents of the unpaired design) add up across
    /// territories and stakeholder types: their keys are protected as tables of `n`.
    public static let perceptionTables: Set<Indicator> = [.perceptionShift, .retroPerceptionShift, .perceptionShiftUnpaired]

    /// Shares of persons: value × n is a count of persons (the numerator). The perception shares
    /// are of pairs, hidden with their key's other figures.
    public static let shares = Set(Indicator.allCases.filter { $0.unit == .share && $0.perception == nil })

    /// Figures that publish a count in their `n` or numerator: hidden whenever that count is
    /// (same period, territory and stakeholder type). `participations` and `organisations` rest on
    /// the cell's persons, the hiring shares and the median on the hires, conversion on the referrals.
    /// The durable share's n is the hires of known length (hires − unknown lengths), the retention
    /// share's the hires whose six months are observed; a response rate's n is the cell's persons
    /// listed on the sheets (every design's row, hence `revealedAcross`).
    public static let revealedBy: [Indicator: [Indicator]] = [
        .participants: [.participations, .organisations],
        .hires: [.hiresSustainableShare, .daysToHireMedian, .retained6mShare],
        .hiresSustainable: [.hiresSustainableShare],
        .hiresUnknownLength: [.hiresSustainableShare],
        .retained6m: [.retained6mShare],
        .referrals: [.conversionReferralToHire],
    ]
    /// Like `revealedBy`, for dependents of any breakdown of the same cell.
    public static let revealedAcross: [Indicator: [Indicator]] = [.participants: [.responseRate]]

    /// Perception rows published or hidden as one: every figure of a key (they share its pairs), and
    /// keys of one cell and design with the very same figures (an item that is its dimension's only one).
    static func perceptionGroups(_ rows: [IndicatorRow]) -> [[Int]] {
        var families: [[String]: [Int]] = [:]
        for (i, r) in rows.enumerated() {
            guard let design = r.indicator.perception?.design else { continue }
            families[[design.rawValue, r.period, r.territory, r.stakeholderType, r.dimension, r.category], default: []].append(i)
        }
        // Twins: same design and cell, same n and the same means (an item that is its dimension's only one).
        struct Figures: Hashable { let cell: [String], n: Int, values: [UInt64] }
        var twins: [Figures: [[String]]] = [:]
        for (key, members) in families {
            let means = members.filter { [.preMean, .postMean, .shift].contains(rows[$0].indicator.perception?.measure) }
                .sorted { rows[$0].indicator.id < rows[$1].indicator.id }
            // Only item and dimension keys can be twins: a shift by format has no means, and two
            // formats with the same number of pairs are no more the same figures than two territories.
            guard !means.isEmpty else { continue }
            twins[Figures(cell: Array(key[0..<4]), n: members.first.map { rows[$0].count } ?? 0,
                          values: means.map { rows[$0].value?.bitPattern ?? 0 }), default: []].append(key)
        }
        var groups = families
        for keys in twins.values where keys.count > 1 {
            let sorted = keys.sorted { $0.lexicographicallyPrecedes($1) }
            groups[sorted[0]] = sorted.flatMap { families[$0] ?? [] }
            for key in sorted.dropFirst() { groups[key] = nil }
        }
        return groups.keys.sorted { $0.lexicographicallyPrecedes($1) }.compactMap { groups[$0] }
    }
}
