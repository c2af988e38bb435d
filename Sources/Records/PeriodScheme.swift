/// How dates fall into reporting periods: calendar years, or programme years starting in a month.
public enum PeriodScheme: Equatable, Sendable {
    case calendarYear
    /// A programme year starting on the first day of `startMonth` (2…12); labelled "2024-2025".
    case programmeYear(startMonth: Int)

    /// The period label of a date: "2025" or "2024-2025".
    public func label(for date: CalendarDate) -> String {
        switch self {
        case .calendarYear:
            return String(date.year)
        case .programmeYear(let start):
            let first = date.month >= start ? date.year : date.year - 1
            return "\(first)-\(first + 1)"
        }
    }
}
