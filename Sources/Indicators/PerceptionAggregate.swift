import Records
import Statistics

/// Perception-shift state that two partitions combine by adding: per cell, a histogram of
/// (before, after) pairs and, for unmatched respondents, histograms of single values.
///
/// Scores are exact integers: a value v on the 1–5 scale is stored as v × `scale`, where `scale`
/// is a multiple of every possible number of answered items in a dimension, so composite means
/// (and their differences, and the ties between them) stay exact.
public struct PerceptionAggregate: Sendable, Equatable {
    /// One cell: period × territory × stakeholder type × design × breakdown.
    public struct Key: Hashable, Sendable {
        public let period: String
        public let territory: String
        public let stakeholderType: String
        public let design: SurveyDesign
        /// `item` or `dimension`.
        public let dimension: String
        public let category: String
    }

    public struct Pair: Hashable, Sendable {
        public let before: Int
        public let after: Int
    }

    public let scale: Int
    public private(set) var pairs: [Key: [Pair: Int]] = [:]
    public private(set) var unpairedPre: [Key: [Int: Int]] = [:]
    public private(set) var unpairedPost: [Key: [Int: Int]] = [:]
    /// Cronbach sums per stakeholder type × design × dimension, on one wave: the "before" answers
    /// (`pre` responses; the "avant" column of retrospective ones), complete cases.
    public private(set) var reliability: [ReliabilityKey: ReliabilitySums] = [:]
    /// Dimension pairs of respondents found on the attendance sheets, by the formats they attended.
    public private(set) var formatPairs: [FormatKey: [Pair: Int]] = [:]
    /// Respondents with at least one pair who were on the sheets of the same period, territory (or
    /// any: `ALL`) and stakeholder type, per design: the response rates' numerators.
    public internal(set) var responded: [RateKey: Int] = [:]
    /// Per period × stakeholder type: respondents (any wave) and those found on the attendance sheets.
    public internal(set) var linkage: [RateKey: Linkage] = [:]

    /// Respondents of a period and stakeholder type, and how many were found on the attendance sheets.
    public struct Linkage: Sendable, Equatable {
        public var respondents = 0
        public var found = 0
        /// Keys link when at least half of the respondents are found on the sheets.
        public var links: Bool { respondents > 0 && found * 2 >= respondents }
    }

    /// A breakdown of one dimension's pairs by what the respondents attended in the period.
    public struct FormatKey: Hashable, Sendable {
        public let period: String
        public let stakeholderType: String
        public let design: SurveyDesign
        public let breakdown: FormatBreakdown
        public let dimension: String
        /// The action type, or `1`, `2`, `3+` actions.
        public let category: String
    }

    /// Period × territory (or `ALL`) × stakeholder type × design (nil for the linkage counts).
    public struct RateKey: Hashable, Sendable {
        public let period: String
        public let territory: String
        public let stakeholderType: String
        public let design: SurveyDesign?

        public init(period: String, territory: String, stakeholderType: String, design: SurveyDesign?) {
            self.period = period
            self.territory = territory
            self.stakeholderType = stakeholderType
            self.design = design
        }
    }

    public init(scale: Int) { self.scale = scale }

    /// Adds a histogram of pairs to `key` and its roll-ups.
    mutating func addPairs(_ key: Key, _ histogram: [Pair: Int]) {
        for k in key.withRollUps { pairs[k, default: [:]].merge(histogram, uniquingKeysWith: +) }
    }

    /// Adds a histogram of single values (before, or after) to `key` and its roll-ups.
    mutating func addUnpaired(_ key: Key, _ histogram: [Int: Int], pre: Bool) {
        // Each roll-up's key hashed once, not once per value.
        for k in key.withRollUps {
            if pre { unpairedPre[k, default: [:]].merge(histogram, uniquingKeysWith: +) } else { unpairedPost[k, default: [:]].merge(histogram, uniquingKeysWith: +) }
        }
    }

    mutating func addReliabilityCase(type: String, design: SurveyDesign, dimension: String, values: [Double]) {
        reliability[ReliabilityKey(type: type, design: design, dimension: dimension), default: ReliabilitySums(items: values.count)].add(values)
    }

    mutating func addFormatPair(_ key: FormatKey, before: Int, after: Int) {
        formatPairs[key, default: [:]][Pair(before: before, after: after), default: 0] += 1
    }

    /// Adds another partition's histograms to these.
    public mutating func merge(_ other: PerceptionAggregate) {
        precondition(scale == other.scale, "aggregates built with different questionnaires")
        for (k, h) in other.pairs { pairs[k, default: [:]].merge(h, uniquingKeysWith: +) }
        for (k, h) in other.unpairedPre { unpairedPre[k, default: [:]].merge(h, uniquingKeysWith: +) }
        for (k, h) in other.unpairedPost { unpairedPost[k, default: [:]].merge(h, uniquingKeysWith: +) }
        for (k, s) in other.reliability { reliability[k, default: ReliabilitySums(items: s.sums.count)].merge(s) }
        for (k, h) in other.formatPairs { formatPairs[k, default: [:]].merge(h, uniquingKeysWith: +) }
        for (k, c) in other.responded { responded[k, default: 0] += c }
        for (k, c) in other.linkage {
            linkage[k, default: Linkage()].respondents += c.respondents
            linkage[k, default: Linkage()].found += c.found
        }
    }
}

extension PerceptionAggregate.Key {
    /// The key itself and its territory / stakeholder-type roll-ups.
    var withRollUps: [PerceptionAggregate.Key] {
        [self, with(territory: rollUp), with(type: rollUp), with(territory: rollUp).with(type: rollUp)]
    }

    func with(territory: String) -> Self {
        .init(period: period, territory: territory, stakeholderType: stakeholderType, design: design, dimension: dimension, category: category)
    }

    func with(type: String) -> Self {
        .init(period: period, territory: territory, stakeholderType: type, design: design, dimension: dimension, category: category)
    }
}

/// The breakdowns of the shift by format attended (the `…_shift_by_…` indicators).
public enum FormatBreakdown: String, Sendable {
    /// By each type of action attended in the period.
    case actionType = "action_type"
    /// By the number of distinct actions attended: `1`, `2`, `3+`.
    case actionsAttended = "actions_attended"

    /// What the breakdown's rows measure.
    public var measure: PerceptionMeasure {
        switch self {
        case .actionType: return .shiftByActionType
        case .actionsAttended: return .shiftByActionsAttended
        }
    }
}

/// Stakeholder type × design × dimension: one Cronbach's alpha.
public struct ReliabilityKey: Hashable, Sendable, Comparable {
    public let type: String
    public let design: SurveyDesign
    public let dimension: String

    public static func < (a: ReliabilityKey, b: ReliabilityKey) -> Bool {
        (a.type, a.design.rawValue, a.dimension) < (b.type, b.design.rawValue, b.dimension)
    }
}

/// Mergeable sums for Cronbach's alpha: n, Σxᵢ, Σxᵢ², Σtotal, Σtotal².
public struct ReliabilitySums: Sendable, Equatable {
    public private(set) var n = 0
    public private(set) var sums: [Double]
    public private(set) var squares: [Double]
    public private(set) var total = 0.0
    public private(set) var totalSquares = 0.0

    init(items: Int) {
        sums = Array(repeating: 0, count: items)
        squares = Array(repeating: 0, count: items)
    }

    mutating func add(_ values: [Double]) {
        n += 1
        for (i, v) in values.enumerated() { sums[i] += v; squares[i] += v * v }
        let t = values.reduce(0, +)
        total += t
        totalSquares += t * t
    }

    mutating func merge(_ other: ReliabilitySums) {
        n += other.n
        for i in sums.indices { sums[i] += other.sums[i]; squares[i] += other.squares[i] }
        total += other.total
        totalSquares += other.totalSquares
    }

    /// Cronbach's alpha; nil with fewer than 2 items or cases, or no variance.
    public var alpha: Double? {
        Stats.cronbachAlpha(n: n, sums: sums, squares: squares, total: total, totalSquares: totalSquares)
    }
}
