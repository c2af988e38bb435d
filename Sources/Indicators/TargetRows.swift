import Records

/// Target rows (docs/design.md §5 "Targets"): for each target, `dimension` = `target` with category
/// `target` (the value set) and `attainment` (actual ÷ target, hidden when the actual is).
public enum TargetRows {
    public static func compute(_ targets: [Target], rows: [IndicatorRow]) -> [IndicatorRow] {
        guard !targets.isEmpty else { return [] }  // the index below costs a national run's rows hashed
        let periods = Set(rows.map(\.period)).sorted()
        var index: [[String]: IndicatorRow] = [:]
        for r in rows where r.dimension.isEmpty { index[[r.indicator.id, r.period, r.territory, r.stakeholderType]] = r }
        var out: [IndicatorRow] = []
        for target in targets {
            for period in target.period.map({ [$0] }) ?? periods {
                let actual = index[[target.indicator.id, period, target.territory, target.stakeholderType]]
                // n is the actual's n, published only where the actual is: attainment × target = actual.
                let n = actual?.status == .suppressed ? nil : actual?.n ?? 0
                out.append(IndicatorRow(indicator: target.indicator, period: period, territory: target.territory,
                                        stakeholderType: target.stakeholderType, dimension: "target", category: "target",
                                        value: target.value, n: n))
                var status = IndicatorStatus.insufficient, value: Double?
                if actual?.status == .suppressed {
                    status = .suppressed
                } else if let actual = actual?.value, target.value > 0 {
                    (status, value) = (.ok, actual / target.value)
                }
                let attainment = IndicatorRow(indicator: target.indicator, period: period, territory: target.territory,
                                              stakeholderType: target.stakeholderType, dimension: "target", category: "attainment",
                                              value: value, n: n, status: status)
                out.append(attainment)
            }
        }
        return out
    }
}
