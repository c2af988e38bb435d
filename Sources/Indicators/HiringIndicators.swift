import Records
import Statistics

/// Hiring indicators (docs/design.md §5): funnel, contracts, referrers, durable employment, conversion,
/// time to hire, link to actions — per period × territory with `ALL` roll-ups, for candidates.
public enum HiringIndicators {
    public static let stakeholderType = Indicator.candidates
    /// The funnel's steps, in order: distinct candidates reaching each.
    public static let funnel: [(EventKind, Indicator)] = [(.referral, .referrals), (.interview, .interviews), (.immersion, .immersions),
                                                  (.hire, .hires), (.retained6m, .retained6m)]

    /// What the hiring indicators need besides the events.
    public struct Settings: Sendable {
        public let durable: DurableRule
        public let windowDays: Int
        /// The day the data end: a hire's six-month retention is observed only when its six-month date
        /// falls on or before it (nil: no retention share).
        public let dataEnd: CalendarDate?
        /// The programme's first action: hires dated before it are counted apart, never as outcomes.
        public let programmeStart: CalendarDate?

        public init(durable: DurableRule, windowDays: Int, dataEnd: CalendarDate?, programmeStart: CalendarDate?) {
            self.durable = durable
            self.windowDays = windowDays
            self.dataEnd = dataEnd
            self.programmeStart = programmeStart
        }
    }

    public static func compute(_ state: HiringState, links: ActionLinks, scheme: PeriodScheme, settings: Settings) -> [IndicatorRow] {
        let durable = settings.durable
        // Cells: (period, territory) and (period, ALL) → per candidate, their events there.
        var cells: [[String]: [UInt64: [PathwayEvent]]] = [:]
        var firstEvent: [UInt64: CalendarDate] = [:]
        for (candidate, events) in state.candidates {
            firstEvent[candidate] = events.map(\.date).min()
            for e in events {
                let period = scheme.label(for: e.date)
                cells[[period, e.territory], default: [:]][candidate, default: []].append(e)
                cells[[period, rollUp], default: [:]][candidate, default: []].append(e)
            }
        }
        var rows: [IndicatorRow] = []
        for (cell, byCandidate) in cells {
            let (period, territory) = (cell[0], cell[1])
            func row(_ indicator: Indicator, _ value: Double?, n: Int, dimension: String = "", category: String = "",
                     ci: Interval? = nil, status: IndicatorStatus = .ok) -> IndicatorRow {
                IndicatorRow(indicator: indicator, period: period, territory: territory, stakeholderType: stakeholderType,
                             dimension: dimension, category: category, value: value, n: n, ciLow: ci?.low, ciHigh: ci?.high, status: status)
            }
            // Each hired candidate's principal hire: the first durable one, else the first — among the
            // hires on or after the programme's first action; the others are counted apart.
            var principal: [UInt64: PathwayEvent] = [:]
            var beforeProgramme = 0
            for (candidate, events) in byCandidate {
                let all = events.filter { $0.kind == .hire }.sorted { ($0.date, $0.location.line) < ($1.date, $1.location.line) }
                let hires = all.filter { hire in settings.programmeStart.map { hire.date >= $0 } ?? true }
                if hires.isEmpty && !all.isEmpty { beforeProgramme += 1 }
                principal[candidate] = hires.first { durable.verdict(contract: $0.contractType, months: $0.contractMonths) == .durable } ?? hires.first
            }
            let retention = Retention(principal: principal, history: state.candidates, dataEnd: settings.dataEnd)
            for (kind, name) in funnel {
                let reached: Int
                switch kind {
                case .hire: reached = principal.count
                case .retained6m: reached = retention.retained
                default: reached = byCandidate.values.filter { $0.contains { $0.kind == kind } }.count
                }
                rows.append(row(name, Double(reached), n: reached))
            }
            let hires = principal.count
            var byContract: [String: Int] = [:], byReferrer: [String: Int] = [:], byLink: [String: Int] = [:]
            var sustainable = 0, unknownLength = 0, afterAction = 0
            var delays: [Int] = []
            for (candidate, hire) in principal {
                byContract[hire.contractType ?? "unknown", default: 0] += 1
                byReferrer[hire.referrerType ?? referrerTypeOfHistory(state.candidates[candidate] ?? [], before: hire) ?? "unknown", default: 0] += 1
                switch durable.verdict(contract: hire.contractType, months: hire.contractMonths) {
                case .durable: sustainable += 1
                case .unknownLength: unknownLength += 1
                case .notDurable: break
                }
                if let link = links.link(hire: hire, history: state.candidates[candidate] ?? [], window: settings.windowDays) {
                    afterAction += 1
                    byLink[link.rawValue, default: 0] += 1
                }
                if let first = firstEvent[candidate] { delays.append(hire.date.dayNumber - first.dayNumber) }
            }
            for (contract, count) in byContract { rows.append(row(.hires, Double(count), n: count, dimension: "contract_type", category: contract)) }
            for (referrer, count) in byReferrer { rows.append(row(.hires, Double(count), n: count, dimension: "referrer_type", category: referrer)) }
            rows.append(row(.hiresSustainable, Double(sustainable), n: sustainable))
            rows.append(row(.hiresUnknownLength, Double(unknownLength), n: unknownLength))
            rows.append(row(.hiresAfterAction, Double(afterAction), n: afterAction))
            if territory == rollUp {
                // Who took part, for the whole programme only (split by territory, most cells would fall under k).
                for link in ActionLinks.Link.allCases where afterAction > 0 {
                    let count = byLink[link.rawValue] ?? 0
                    rows.append(row(.hiresAfterAction, Double(count), n: count, dimension: "link", category: link.rawValue))
                }
                if beforeProgramme > 0 {
                    rows.append(row(.hires, Double(beforeProgramme), n: beforeProgramme, dimension: "timing", category: "before_first_action"))
                }
            }
            // Unknown-length contracts are neither durable nor not: they leave the share's denominator.
            let known = hires - unknownLength
            if known > 0 {
                rows.append(row(.hiresSustainableShare, Double(sustainable) / Double(known), n: known,
                                ci: Stats.wilson(successes: sustainable, n: known)))
            }
            if retention.observable > 0 {
                rows.append(row(.retained6mShare, Double(retention.retained) / Double(retention.observable), n: retention.observable,
                                ci: Stats.wilson(successes: retention.retained, n: retention.observable)))
            }
            delays.sort()
            if !delays.isEmpty {
                let mid = delays.count / 2
                let median = delays.count % 2 == 1 ? Double(delays[mid]) : Double(delays[mid - 1] + delays[mid]) / 2
                rows.append(row(.daysToHireMedian, median, n: delays.count))
            }
            // Conversion: among candidates referred here, those hired (anywhere, within the programme) on or after their first referral.
            var referred = 0, converted = 0
            for (candidate, events) in byCandidate {
                guard let firstReferral = events.filter({ $0.kind == .referral }).map(\.date).min() else { continue }
                referred += 1
                let from = max(firstReferral, settings.programmeStart ?? firstReferral)
                if (state.candidates[candidate] ?? []).contains(where: { $0.kind == .hire && $0.date >= from }) { converted += 1 }
            }
            if referred > 0 {
                rows.append(row(.conversionReferralToHire, Double(converted) / Double(referred), n: referred,
                                ci: Stats.wilson(successes: converted, n: referred)))
            }
        }
        return rows
    }

    /// The referrer category of the candidate's latest event before the hire that names one.
    static func referrerTypeOfHistory(_ history: [PathwayEvent], before hire: PathwayEvent) -> String? {
        history.filter { $0.date <= hire.date && $0.referrerType != nil }.max { $0.date < $1.date }?.referrerType
    }
}
