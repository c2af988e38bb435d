import Records

/// Target rows (design §5 "Targets"): for each target, `dimension` = `target` with category
/// `target` (the value set) and `attainment` (actual ÷ target, hidden when the actual is).
public enum TargetRows {
    public static func compute(_ targets: [Target], rows: [IndicatorRow]) -> [IndicatorRow] {
        let periods = Set(rows.map(\.period)).sorted()
        var index: [[String]: IndicatorRow] = [:]
        for r in rows where r.dimension.isEmpty { index[[r.indicator, r.period, r.territory, r.stakeholderType]] = r }
        var out: [IndicatorRow] = []
        for target in targets {
            for period in target.period.map({ [$0] }) ?? periods {
                let actual = index[[target.indicator, period, target.territory, target.stakeholderType]]
                out.append(IndicatorRow(indicator: target.indicator, period: period, territory: target.territory,
                                        stakeholderType: target.stakeholderType, dimension: "target", category: "target",
                                        value: target.value, n: actual?.n ?? 0))
                var attainment = IndicatorRow(indicator: target.indicator, period: period, territory: target.territory,
                                              stakeholderType: target.stakeholderType, dimension: "target", category: "attainment",
                                              value: nil, n: actual?.n ?? 0, status: .insufficient)
                if let actual, actual.status == .suppressed {
                    attainment.suppress()
                } else if let value = actual?.value, target.value > 0 {
                    attainment.value = value / target.value
                    attainment.status = .ok
                }
                out.append(attainment)
            }
        }
        return out
    }
}
