/// A target an evaluator sets for an indicator (docs/design.md §5 "Targets").
public struct Target: Sendable, Equatable {
    public let indicator: Indicator
    /// nil: every period.
    public let period: String?
    public let territory: String
    public let stakeholderType: String
    public let value: Double
    public let line: Int

    public init(indicator: Indicator, period: String?, territory: String, stakeholderType: String, value: Double, line: Int) {
        self.indicator = indicator
        self.period = period
        self.territory = territory
        self.stakeholderType = stakeholderType
        self.value = value
        self.line = line
    }
}

