import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Pipeline
@testable import Records
@testable import Report

/// The rules that keep the figures honest, on small cases computed by hand or with scipy/statsmodels
/// (the Python one-liner beside each expected value).
@Suite("Honest figures", .serialized)
struct HonestFiguresTests {
    /// Alpha on one wave: the "before" answers only (b reversed; R2 and R3 incomplete): (2, 1), (1, 1), (2, 2).
    /// numpy: x = [[2,1],[1,1],[2,2]]; 2 * (1 - x.var(0, ddof=1).sum() / x.sum(1).var(ddof=1)) = 0.6667.
    @Test func alphaOnTheBeforeAnswers() throws {
        let summary = try PerceptionTests.run()
        let r = try #require(summary.perception.reliability.first { $0.dimension == "d" })
        #expect(r.design == .prospective && r.n == 3)
        #expect(abs((r.alpha ?? 0) - 2.0 / 3) < 1e-12)
        // Three complete respondents are fewer than k = 5: neither alpha nor their number is shown.
        let hidden = try #require(try PerceptionTests.run(k: 5).perception.reliability.first { $0.dimension == "d" })
        #expect(hidden.suppressed && hidden.alpha == nil && hidden.n == nil)
    }

    /// Holm within each family (one period, territory, type, design and level), over the published p-values.
    /// statsmodels: multipletests([0.01, 0.04, 0.03], method="holm")[1] = [0.03, 0.06, 0.06]; [0.02] → [0.02];
    /// the retrospective family [0.2, 0.001] → [0.2, 0.002].
    @Test func holmWithinEachFamily() {
        func p(_ indicator: Indicator, _ level: String, _ category: String, _ value: Double?, territory: String = "lyon",
               status: IndicatorStatus = .ok) -> IndicatorRow {
            IndicatorRow(indicator: indicator, period: "2025", territory: territory, stakeholderType: "prescripteur", dimension: level,
                         category: category, value: value, n: 10, status: status)
        }
        let rows = [p(.perceptionWilcoxonP, "dimension", "a", 0.01), p(.perceptionWilcoxonP, "dimension", "b", 0.04),
                    p(.perceptionWilcoxonP, "dimension", "c", 0.03), p(.perceptionWilcoxonP, "dimension", "hidden", nil, status: .suppressed),
                    p(.perceptionWilcoxonP, "dimension", "none", nil, status: .insufficient),
                    p(.perceptionWilcoxonP, "item", "a1", 0.02), p(.perceptionWilcoxonP, "dimension", "a", 0.5, territory: rollUp),
                    p(.retroPerceptionWilcoxonP, "dimension", "a", 0.2), p(.retroPerceptionWilcoxonP, "dimension", "b", 0.001),
                    p(.perceptionShift, "dimension", "a", 0.4)]
        let holm = Dictionary(uniqueKeysWithValues: PerceptionIndicators.holmRows(rows).map { ("\($0.indicator)/\($0.territory)/\($0.category)", $0) })
        #expect(holm.count == 9)
        for (key, expected) in [("perception_wilcoxon_p_holm/lyon/a", 0.03), ("perception_wilcoxon_p_holm/lyon/b", 0.06),
                                ("perception_wilcoxon_p_holm/lyon/c", 0.06), ("perception_wilcoxon_p_holm/lyon/a1", 0.02),
                                ("perception_wilcoxon_p_holm/ALL/a", 0.5), ("retro_perception_wilcoxon_p_holm/lyon/a", 0.2),
                                ("retro_perception_wilcoxon_p_holm/lyon/b", 0.002)] {
            #expect(holm[key].flatMap(\.value).map { abs($0 - expected) < 1e-12 } == true, "\(key): \(String(describing: holm[key]?.value))")
        }
        #expect(holm["perception_wilcoxon_p_holm/lyon/hidden"]?.status == .suppressed && holm["perception_wilcoxon_p_holm/lyon/hidden"]?.n == nil)
        #expect(holm["perception_wilcoxon_p_holm/lyon/none"]?.status == .insufficient)
    }

    /// The perception fixture's advisers R1–R5 with attendance sheets: `keysOnSheets` of them listed
    /// (with X1… so that five persons are reached), R1 at two actions.
    static func linked(_ keysOnSheets: [String]) throws -> RunResult {
        let folder = Paths.scratch("linked")
        try PerceptionTests.csv.write(toFile: "\(folder)/q.csv", atomically: true, encoding: .utf8)
        try "id;date;territoire;type\nA1;10/03/2025;Lyon;ZI Tour\nA2;15/04/2025;Lyon;Vis ma vie\n"
            .write(toFile: "\(folder)/actions.csv", atomically: true, encoding: .utf8)
        let persons = keysOnSheets + (0..<(5 - keysOnSheets.count)).map { "X\($0)" }
        let lines = ["action,personne,profil"] + persons.map { "A1,\($0),Conseiller" } + (keysOnSheets.contains("R1") ? ["A2,R1,Conseiller"] : [])
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(folder)/emargements.csv", atomically: true, encoding: .utf8)
        try (PerceptionTests.pipeline(folder: folder, k: 3) + """

          - {name: actions, kind: actions, path: actions.csv, columns: {action_id: id, date: date, territory: territoire, action_type: type}}
          - {name: emargements, kind: attendance, path: emargements.csv, columns: {action_id: action, person: personne, stakeholder_type: profil}}
        """).write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        return try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
    }

    /// R1, R2, R3 on the sheets with two others: 3 of the 5 persons listed answered before and after.
    /// By action type, ZI Tour: R1 +2.5, R2 +2, R3 0 → mean 1.5; scipy: d = [2.5, 2, 0];
    /// d.mean() ∓ stats.t.ppf(0.975, 2) * d.std(ddof=1) / sqrt(3) = [−1.786205303864214, 4.7862053038642145].
    @Test func responseRateAndFormatsWhenKeysLink() throws {
        let result = try Self.linked(["R1", "R2", "R3"])
        func row(_ indicator: Indicator, _ dimension: String, _ category: String) -> IndicatorRow? {
            result.summary.row(indicator, "2025", rollUp, "prescripteur", dimension: dimension, category: category)
        }
        let rate = try #require(row(.responseRate, "design", "prospective"))
        #expect(rate.value == 0.6 && rate.n == 5 && rate.status == .ok)
        #expect(result.summary.row(.responseRate, "2025", "lyon", "prescripteur", dimension: "design", category: "prospective")?.value == 0.6)
        let zi = try #require(row(.perceptionShiftByActionType, "d", "zi_tour"))
        #expect(zi.n == 3 && abs((zi.value ?? 0) - 1.5) < 1e-12)
        #expect(abs((zi.ciLow ?? 0) + 1.786205303864214) < 1e-9 && abs((zi.ciHigh ?? 0) - 4.7862053038642145) < 1e-9)
        // One respondent at job shadowing, one at two actions, two at one: fewer than k = 3, hidden.
        for (dimension, category) in [("d", "vis_ma_vie")] { #expect(row(.perceptionShiftByActionType, dimension, category)?.status == .suppressed) }
        #expect(row(.perceptionShiftByActionsAttended, "d", "2")?.status == .suppressed)
        #expect(row(.perceptionShiftByActionsAttended, "d", "1")?.status == .suppressed)
    }

    /// One respondent of five on the sheets: the keys do not link, the rate is `insufficient` and no
    /// shift by format is published; the report gives the bound instead.
    @Test func noRateWhenKeysDoNotLink() throws {
        let result = try Self.linked(["R1"])
        let rate = try #require(result.summary.row(.responseRate, "2025", rollUp, "prescripteur", dimension: "design", category: "prospective"))
        #expect(rate.status == .insufficient && rate.value == nil && rate.n == 5)
        #expect(!result.summary.rows.contains { $0.indicator.id.contains("_by_") })
        let report = try String(contentsOfFile: "\(result.outputFolder)/report.md", encoding: .utf8)
        #expect(report.contains("le taux de réponse ne peut pas être calculé"))
    }

    /// The sample run with one edit of its pipeline file: the result and report.md with plain spaces.
    static func sample(_ name: String, _ edit: (TestPipeline) throws -> TestPipeline) throws -> (RunResult, String) {
        let folder = Paths.scratch(name)
        try edit(try TestPipeline.sample().inputs("\(Paths.root)/inputs")).write(to: "\(folder)/p.yml")
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
        let report = try String(contentsOfFile: "\(folder)/out/report.md", encoding: .utf8)
            .replacing("\u{202F}", with: " ").replacing("\u{00A0}", with: " ")
        return (result, report)
    }

    /// Below `alpha_threshold` a dimension is flagged and the synthesis reads its statements one by one.
    @Test func lowConsistencyIsReadStatementByStatement() throws {
        let (result, report) = try Self.sample("alpha") { try $0.setting("questionnaire.alpha_threshold", "0.8") }
        let synthesis = report.components(separatedBy: "## Synthèse")[1].components(separatedBy: "\n## ")[0]
        // Conditions de travail (0,63) and connaissance (0,77) are below 0,8, attractivité (0,84) is not.
        #expect(synthesis.contains("| Conditions de travail † |") && synthesis.contains("| cohérence faible |"))
        #expect(synthesis.contains("| ↳ Les sites industriels sont difficiles d'accès ⟲ |"))
        #expect(synthesis.contains("| Attractivité des métiers industriels |"))
        #expect(synthesis.contains("« Conditions de travail » et « Connaissance des métiers et capacité à orienter » à lire affirmation par affirmation"))
        #expect(report.contains("**Cohérence faible**") && report.contains("0,63 ⚑"))
        #expect(result.summary.perception.reliability.filter { ($0.alpha ?? 1) < 0.8 }.count == 4)
    }

    /// "« Freins au recrutement » progresse" read as "obstacles grew": a dimension of negatively worded
    /// statements says the change is favourable and that agreement with them fell.
    @Test func aDimensionOfNegativeStatementsSaysWhichWay() {
        let questionnaire = Questionnaire(items: [.init(id: "mobilite", label: "La mobilité est un frein", dimension: "freins", reverse: true),
                                                  .init(id: "langue", label: "Le français est un frein", dimension: "freins", reverse: true)],
                                          dimensions: [("freins", "Freins au recrutement")], scale: .init(name: "s"), missing: .init(name: "m"),
                                          waves: .init(name: "w"))
        func row(_ indicator: Indicator, _ value: Double, _ ci: (Double, Double)? = nil) -> IndicatorRow {
            IndicatorRow(indicator: indicator, period: "2025", territory: rollUp, stakeholderType: "industriel", dimension: "dimension",
                         category: "freins", value: value, n: 40, ciLow: ci?.0, ciHigh: ci?.1)
        }
        let summary = RunSummary(title: "t", programme: "p", periodScheme: .calendarYear, privacyK: 5, maxRejectRate: 0.1, toolVersion: "0",
                                 pipelinePath: "p.yml", pipelineSHA256: "0", inputs: [], sources: [], rejectSample: [], rejectCounts: [:],
                                 rows: [row(.retroPerceptionShift, 0.3, (0.1, 0.5)), row(.retroPerceptionWilcoxonPHolm, 0.01),
                                        row(.retroPerceptionImprovedShare, 0.4), row(.retroPerceptionWorsenedShare, 0.1)],
                                 perception: .init(questionnaire: questionnaire))
        let labels = Labels(language: "fr", territories: .init(name: "t"), stakeholders: .init(name: "s"), actionTypes: .init(name: "a"),
                            questionnaire: questionnaire)
        let sentence = PerceptionSection(summary: summary, labels: labels, charts: [:]).sentence("2025", rollUp, "industriel", .retrospective, "freins")
        let text = sentence?.plain ?? ""
        #expect(text.contains("« Freins au recrutement », évolution favorable nette de +0,30"), "\(text)")
        #expect(text.hasSuffix("affirmations formulées négativement : l'accord avec elles a baissé."), "\(text)")
        #expect(!text.contains("progresse"))
    }

    /// The sample's 98 candidates are declared head counts of 5 actions without a sheet: wherever they
    /// are added to persons — the reach tables, the chart's bars, a target on persons reached, the
    /// machine contract (`actions`, `attendance`, `head_counts`) — the figure says so.
    @Test func headCountsAreMarkedWhereverAdded() throws {
        let (result, report) = try Self.sample("head-counts") {
            try $0.appending("- {indicator: participants, stakeholder_type: candidat, value: 80}", to: "targets")
        }
        let folder = result.outputFolder
        let targets = report.components(separatedBy: "## Objectifs")[1].components(separatedBy: "\n## ")[0]
        #expect(targets.contains("| Personnes touchées | Tous territoires | Candidats | 80 | 98 † |"), "\(targets)")
        #expect(targets.contains("† : chiffre qui additionne des effectifs déclarés"))
        #expect(!targets.contains("| 76 †") && !targets.contains("| 214 †"))
        let chart = try String(contentsOfFile: "\(folder)/reach-2024-2025.svg", encoding: .utf8)
        #expect(chart.contains(">33 †</text>") && chart.contains(">65 †</text>") && chart.contains(">107</text>"))
        let published = try PublishedFigures(folder: folder)
        for (territory, type, actions) in [("ALL", "candidat", 5.0), ("lyon", "candidat", 2), ("saint_etienne", "ALL", 3)] {
            #expect(published[["actions", "2024-2025", territory, type, "attendance", "head_counts"]]?.value == actions)
        }
        #expect(published[["actions", "2024-2025", "ALL", "prescripteur", "attendance", "head_counts"]] == nil)
    }

    /// A negative lower bound that rounds to 0 keeps its sign: the interval reads as including 0.
    @Test func boundsThatRoundToZero() {
        let fr = Labels(language: "fr", territories: .init(name: "t"), stakeholders: .init(name: "s"), actionTypes: .init(name: "a"))
        let en = Labels(language: "en", territories: .init(name: "t"), stakeholders: .init(name: "s"), actionTypes: .init(name: "a"))
        #expect(fr.interval(-0.0003, 0.19) == "\u{00A0}[−0,0003\u{202F};\u{00A0}+0,19]")
        #expect(en.interval(0.00004, 0.5) == "\u{00A0}[+0.00004,\u{00A0}+0.50]")
        #expect(fr.interval(0, 0.5) == "\u{00A0}[0,00\u{202F};\u{00A0}+0,50]")
        #expect(fr.bound(-0.004) == "−0,004" && fr.bound(-0.006) == "−0,01")
    }

    /// The committed sample report, as a committee member reads it.
    @Test func theSampleReportReadsTrue() throws {
        let fr = try String(contentsOfFile: "\(EndToEndTests.committed)/report.md", encoding: .utf8)
        let synthesis = fr.components(separatedBy: "## Synthèse")[1].components(separatedBy: "\n## ")[0]
        // Every dimension of every group, the null on working conditions included, worsened beside improved.
        for dimension in ["Attractivité des métiers industriels", "Conditions de travail", "Connaissance des métiers et capacité à orienter",
                          "Regard sur les personnes en reconversion", "Freins au recrutement", "Lien avec les prescripteurs"] {
            #expect(synthesis.contains("| \(dimension)"), "\(dimension) missing from the synthesis")
        }
        #expect(synthesis.contains("| En progrès | En recul |") && synthesis.contains("non nette"))
        #expect(synthesis.contains("1\u{00A0}incertain"))
        // A Limites section written from the data; no alpha below zero; the fixed wordings.
        let limits = fr.components(separatedBy: "## Limites")[1].components(separatedBy: "\n## ")[0]
        for fact in ["92 des 214\u{00A0}personnes inscrites sur les feuilles d'émargement ont répondu avant et après",
                     "55 des 76\u{00A0}personnes", "8 par le candidat lui-même, 11 par l'employeur sans le candidat",
                     "écart appariés − avant seulement : −0,53", "(43,0 % ; Lyon : 49,5 %, Saint-Étienne : 36,4 %)", "7 des 19\u{00A0}embauches ont moins de six mois",
                     "98 candidats", "retention_too_early", "Pas de groupe de comparaison"] {
            func plain(_ text: String) -> String { text.replacing("\u{00A0}", with: " ").replacing("\u{202F}", with: " ") }
            #expect(plain(limits).contains(plain(fact)), "Limites lacks '\(fact)'")
        }
        #expect(!fr.components(separatedBy: "Alpha de Cronbach |")[1].components(separatedBy: "\n\n")[0].contains("−"))
        #expect(!fr.contains("moins sujet au biais de réponse") && !fr.contains("Changement mesuré") && fr.contains("Changement déclaré"))
        #expect(fr.contains("| Les sites industriels sont difficiles d'accès ⟲ | 3,71 → 3,64 |"))  // agreement as answered
        #expect(!fr.contains("[0,00 ;"))
    }
}
