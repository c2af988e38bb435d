#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a figure is published.
public enum IndicatorStatus: String, Sendable, Comparable {
    case ok
    /// Rests on fewer than k persons, or hidden so that another hidden figure cannot be recovered.
    case suppressed
    /// Too few data to compute (e.g. an interval with n < 2).
    case insufficient

    public static func < (a: IndicatorStatus, b: IndicatorStatus) -> Bool { a.rawValue < b.rawValue }
}

/// The roll-up marker in the territory and stakeholder_type columns.
public let rollUp = "ALL"

/// One row of indicators.csv (the output contract).
public struct IndicatorRow: Hashable, Sendable {
    public var indicator: String
    public var period: String
    public var territory: String
    public var stakeholderType: String
    public var dimension: String
    public var category: String
    public var value: Double?
    public var n: Int
    public var ciLow: Double?
    public var ciHigh: Double?
    public var status: IndicatorStatus

    public init(indicator: String, period: String, territory: String, stakeholderType: String,
                dimension: String = "", category: String = "", value: Double?, n: Int,
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
    }

    /// The key columns, in contract order; rows sort by them byte-wise.
    public var key: [String] { [indicator, period, territory, stakeholderType, dimension, category] }

    /// Hides the value (and interval) of a published figure.
    public mutating func suppress() {
        value = nil
        ciLow = nil
        ciHigh = nil
        status = .suppressed
    }
}

extension Array where Element == IndicatorRow {
    /// Sorted by every key column, comparing UTF-8 bytes (locale-free, hence deterministic).
    ///
    /// Each row's key is laid out once as bytes (fields joined by 0x00, which no field holds):
    /// building the six-string key inside the comparator took 6 % of a 100 MB run.
    public func sortedByKey() -> [IndicatorRow] {
        let keys: [[UInt8]] = map { row in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(64)
            for (i, field) in [row.indicator, row.period, row.territory, row.stakeholderType, row.dimension, row.category].enumerated() {
                if i > 0 { bytes.append(0) }
                bytes.append(contentsOf: field.utf8)
            }
            return bytes
        }
        // Stable: equal keys keep their order.
        let order = indices.sorted { i, j in
            let c = keys[i].withUnsafeBufferPointer { a in
                keys[j].withUnsafeBufferPointer { b in
                    let n = Swift.min(a.count, b.count)
                    let m = n == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, n)
                    return m != 0 ? Int(m) : a.count - b.count
                }
            }
            return c != 0 ? c < 0 : i < j
        }
        return order.map { self[$0] }
    }
}

/// Indicator catalogue facts shared by the stages.
public enum IndicatorCatalog {
    /// Whether a figure rests on persons (and so is subject to small-cell protection).
    public static func isPersonBased(_ indicator: String) -> Bool {
        ReachIndicators.personBased.contains(indicator) || indicator.hasPrefix("perception_") || indicator.hasPrefix("retro_perception_")
            || HiringIndicators.counts.contains(indicator)
            || ["hires_sustainable_share", "conversion_referral_to_hire", "days_to_hire_median", "theme_mentions"].contains(indicator)
    }
}
