/// The steps of a candidate's route to a job.
public enum EventKind: String, Sendable, CaseIterable {
    case referral, interview, immersion, hire
    case retained6m = "retained_6m"
}

/// One pathway event, canonical (persons and organisations kept only as stable hashes).
public struct PathwayEvent: Sendable, Equatable {
    public let candidate: UInt64
    public let kind: EventKind
    public let date: CalendarDate
    public let territory: String
    public let employer: UInt64?
    public let referrer: UInt64?
    /// Category of the referring organisation (`france_travail`, `siae`…), when known.
    public let referrerType: String?
    /// Contract type of a hire (`cdi`, `cdd`, `interim`, `alternance`, `creation`), when known.
    public let contractType: String?
    /// Contract length in months, when known.
    public let contractMonths: Double?
    /// An action the event names (a referral made during a ZI Tour…).
    public let actionID: String?
    public let location: RecordLocation

    public init(candidate: UInt64, kind: EventKind, date: CalendarDate, territory: String, employer: UInt64?, referrer: UInt64?,
                referrerType: String?, contractType: String?, contractMonths: Double?, actionID: String?, location: RecordLocation) {
        self.candidate = candidate
        self.kind = kind
        self.date = date
        self.territory = territory
        self.employer = employer
        self.referrer = referrer
        self.referrerType = referrerType
        self.contractType = contractType
        self.contractMonths = contractMonths
        self.actionID = actionID
        self.location = location
    }
}

/// "Emploi durable" as France Travail counts it: CDI, CDD or intérim of six months or more
/// (or more than six: SIAE reporting), création d'entreprise.
public struct DurableRule: Sendable, Equatable {
    /// True: "more than 6 months" (> 6); false: "6 months or more" (≥ 6).
    public let strict: Bool

    public init(strict: Bool) { self.strict = strict }

    /// What a hire is, for the durable-employment count.
    public enum Verdict: Equatable, Sendable { case durable, notDurable, unknownLength }

    public func verdict(contract: String?, months: Double?) -> Verdict {
        switch contract {
        case "cdi", "creation": return .durable
        case "cdd", "interim":
            guard let months else { return .unknownLength }
            return (strict ? months > 6 : months >= 6) ? .durable : .notDurable
        default: return .notDurable
        }
    }
}

extension CalendarDate {
    /// The day `days` after this one.
    public func adding(days: Int) -> CalendarDate {
        // Civil-from-days (Howard Hinnant), the inverse of `dayNumber`.
        let z = dayNumber + days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return CalendarDate(year: y, month: m, day: d) ?? self
    }

    /// Months from this day to `end` inclusive: 01/03 → 31/08 is exactly 6.
    public func months(through end: CalendarDate) -> Double {
        let after = end.adding(days: 1)
        let whole = (after.year * 12 + after.month) - (year * 12 + month)
        return Double(whole) + Double(after.day - day) / 30.436875
    }
}
