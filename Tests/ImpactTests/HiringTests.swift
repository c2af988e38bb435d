import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Ingest
@testable import Pipeline
@testable import Records

@Suite("Hiring", .serialized)
struct HiringTests {
    static let actions = """
    id;date;territoire;type
    A1;10/03/2025;Lyon;ZI Tour
    A2;20/05/2025;Lyon;Vis ma vie

    """
    static let attendance = """
    action,personne,profil,structure
    A1,ft-lyon@exemple.fr,Conseiller,France Travail Lyon
    A1,patron@alpha.fr,Industriel,Usine Alpha
    A2,C7,Candidat,

    """
    /// 28 events of 10 candidates, plus one line exported twice. The first action is on 10/03/2025:
    /// C9's hire (02/01) comes before it. The pathway data end on 15/12/2025 (C7's follow-up).
    static let events = """
    candidat;etape;date;territoire;employeur;orienteur;type orienteur;contrat;debut;fin;action
    C1;Mise en relation;2025-01-05;Lyon;;France Travail Lyon;France Travail;;;;
    C1;Entretien;2025-02-01;Lyon;Usine Alpha;France Travail Lyon;France Travail;;;;
    C1;Embauche;2025-04-01;Lyon;Usine Alpha;France Travail Lyon;France Travail;CDI;;;
    C1;Maintien à 6 mois;2025-10-01;Lyon;Usine Alpha;;;;;;
    C2;Mise en relation;2025-01-10;Lyon;;Mission Locale X;Mission Locale;;;;
    C2;Embauche;2025-03-15;Lyon;Usine Beta;Mission Locale X;Mission Locale;CDD;2025-03-15;2025-09-14;
    C3;Mise en relation;2025-02-01;Lyon;;France Travail Lyon;France Travail;;;;
    C3;Mise en relation;2025-02-01;Lyon;;France Travail Lyon;France Travail;;;;
    C3;PMSMP;2025-03-01;Lyon;Usine Gamma;France Travail Lyon;France Travail;;;;
    C3;Embauche;2025-06-01;Lyon;Usine Gamma;France Travail Lyon;France Travail;Intérim (3 mois);;;
    C3;Maintien à 6 mois;2025-09-01;Lyon;Usine Gamma;;;;;;
    C4;Mise en relation;2025-02-05;Lyon;;SIAE Y;SIAE;;;;
    C4;Embauche;2025-06-10;Lyon;Usine Alpha;SIAE Y;SIAE;CDD;;;
    C5;Mise en relation;2025-03-01;Lyon;;France Travail Lyon;France Travail;;;;
    C5;Entretien;2025-03-15;Lyon;Usine Beta;France Travail Lyon;France Travail;;;;
    C5;Maintien à 6 mois;2025-09-01;Lyon;Usine Beta;;;;;;
    C6;Mise en relation;2025-03-02;Lyon;;SIAE Y;SIAE;;;;
    C7;Mise en relation;2025-04-01;Lyon;;Mission Locale X;Mission Locale;;;;
    C7;Immersion;2025-05-02;Lyon;Usine Delta;Mission Locale X;Mission Locale;;;;
    C7;Embauche;2025-06-15;Lyon;Usine Delta;Mission Locale X;Mission Locale;Contrat pro;;;
    C7;Maintien à 6 mois;2025-12-15;Lyon;Usine Delta;;;;;;
    C8;Mise en relation;2025-01-20;Lyon;;Mission Locale X;Mission Locale;;;;A1
    C8;Embauche;2025-03-20;Lyon;Usine Beta;Mission Locale X;Mission Locale;CDD 12 mois;;;
    C8;Maintien à 6 mois;2025-09-20;Lyon;Usine Beta;;;;;;
    C9;Embauche;2025-01-02;Lyon;Usine Alpha;;;CDI;;;
    C10;Mise en relation;2025-05-01;Lyon;;France Travail Lyon;France Travail;;;;
    C10;Entretien;2025-05-10;Lyon;;France Travail Lyon;France Travail;;;;
    C10;Immersion;2025-05-20;Lyon;;France Travail Lyon;France Travail;;;;
    C10;Embauche;2025-07-01;Lyon;;France Travail Lyon;France Travail;Création d'entreprise;;;

    """

    static func run(durable: String = "at_least_6_months", extra: String = "") throws -> RunResult {
        let folder = Paths.scratch("hiring")
        try actions.write(toFile: "\(folder)/actions.csv", atomically: true, encoding: .utf8)
        try attendance.write(toFile: "\(folder)/emargements.csv", atomically: true, encoding: .utf8)
        try events.write(toFile: "\(folder)/parcours.csv", atomically: true, encoding: .utf8)
        try """
        outputs: {folder: out}
        privacy: {k: 3}
        hiring: {durable: \(durable), link_window_days: 365\(extra.isEmpty ? "" : ", " + extra)}
        vocabularies:
          territory: {lyon: [Lyon]}
        sources:
          - {name: actions, kind: actions, path: actions.csv, columns: {action_id: id, date: date, territory: territoire, action_type: type}}
          - {name: emargements, kind: attendance, path: emargements.csv, columns: {action_id: action, person: personne, stakeholder_type: profil, organisation: structure}}
          - name: parcours
            kind: pathway
            path: parcours.csv
            columns: {candidate: candidat, event: etape, date: date, territory: territoire, employer: employeur, referrer: orienteur,
                      referrer_type: type orienteur, contract: contrat, contract_start: debut, contract_end: fin, action_id: action}
        """.write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        return try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(write: false))
    }

    /// Every hiring indicator of the fixture, computed by hand (see the comments).
    @Test func handComputedFixture() throws {
        let result = try Self.run()
        let parcours = try #require(result.summary.sources.first { $0.name == "parcours" })
        // C3's follow-up three months after its hire and C5's without a hire are rejected.
        #expect(parcours.tally.read == 29 && parcours.tally.accepted == 26 && parcours.tally.rejected == 2 && parcours.tally.duplicates == 1)
        #expect(result.summary.rejectCounts[.retentionTooEarly] == 1 && result.summary.rejectCounts[.retentionWithoutHire] == 1)
        for territory in ["lyon", rollUp] {
            func v(_ indicator: String, _ dimension: String = "", _ category: String = "") -> Double? {
                result.unprotectedRows.first {
                    $0.indicator.id == indicator && $0.period == "2025" && $0.territory == territory && $0.stakeholderType == "candidat"
                        && $0.dimension == dimension && $0.category == category
                }?.value
            }
            #expect(v("referrals") == 9)     // every candidate but C9
            #expect(v("interviews") == 3)    // C1, C5, C10
            #expect(v("immersions") == 3)    // C3 (PMSMP), C7, C10
            #expect(v("hires") == 7)         // C1 C2 C3 C4 C7 C8 C10; C9 was hired before the first action
            // Six months reached by 15/12/2025: every hire but C10 (01/07 → 01/01/2026); retained: C1, C7 (on the
            // day), C8 — not C3, whose follow-up came too early and was rejected.
            #expect(v("retained_6m") == 3)
            #expect(v("retained_6m_share") == 0.5)
            #expect(v("hires", "contract_type", "cdi") == 1)
            #expect(v("hires", "contract_type", "cdd") == 3)
            #expect(v("hires", "contract_type", "interim") == 1)
            #expect(v("hires", "contract_type", "alternance") == 1)
            #expect(v("hires", "contract_type", "creation") == 1)
            #expect(v("hires", "referrer_type", "france_travail") == 3)  // C1, C3, C10
            #expect(v("hires", "referrer_type", "mission_locale") == 3)  // C2, C7, C8
            #expect(v("hires", "referrer_type", "siae") == 1)
            #expect(v("hires", "referrer_type", "unknown") == nil)       // C9 (no referrer) is counted apart
            // Durable (≥ 6 months): C1 CDI, C2 CDD 15/03–14/09 = 6 months, C8 CDD 12 months, C10 création.
            #expect(v("hires_sustainable") == 4)
            #expect(v("hires_unknown_length") == 1)  // C4: "CDD" without a length, out of the share's denominator
            #expect(abs((v("hires_sustainable_share") ?? 0) - 4.0 / 6) < 1e-12)
            // Linked: C7 (attended A2 in person) and C8 (its referral names A1) through the candidate; C1 and C4
            // through the employer (Usine Alpha at A1); C3 and C10 through the referrer (France Travail Lyon at A1).
            // Not linked: C2 (Usine Beta and Mission Locale X took part in no action).
            #expect(v("hires_after_action") == 6)
            #expect(abs((v("conversion_referral_to_hire") ?? 0) - 7.0 / 9) < 1e-12)  // C5, C6 not hired
            // Days from first event to hire: 86, 64, 120, 125, 75, 59, 61 → median 75.
            #expect(v("days_to_hire_median") == 75)
        }
        func all(_ indicator: String, _ dimension: String, _ category: String) -> Double? {
            result.unprotectedRows.first {
                $0.indicator.id == indicator && $0.territory == rollUp && $0.dimension == dimension && $0.category == category
            }?.value
        }
        #expect(all("hires_after_action", "link", "candidate") == 2 && all("hires_after_action", "link", "employer") == 2
                && all("hires_after_action", "link", "referrer") == 2)
        #expect(all("hires", "timing", "before_first_action") == 1)
        // Wilson intervals from scipy: stats.binomtest(k, n).proportion_ci(method="wilson") for (4, 6), (7, 9), (3, 6).
        for (indicator, low, high) in [("hires_sustainable_share", 0.299993315138392, 0.9032285888942195),
                                       ("conversion_referral_to_hire", 0.4525889691069889, 0.9367748928821533),
                                       ("retained_6m_share", 0.18761630648265054, 0.8123836935173494)] {
            let row = try #require(result.unprotectedRows.first { $0.indicator.id == indicator && $0.territory == "lyon" })
            #expect(abs((row.ciLow ?? 0) - low) < 1e-12 && abs((row.ciHigh ?? 0) - high) < 1e-12, "\(indicator)")
        }
    }

    /// The retention share's denominator follows the data's end: a `data_end` the day before the
    /// first six-month date (C2's, 15/09/2025) leaves no hire observable; one on C7's six-month day
    /// counts C7 as retained.
    @Test func retentionFollowsTheDataEnd() throws {
        let early = try Self.run(extra: "data_end: 2025-09-14")
        #expect(!early.unprotectedRows.contains { $0.indicator == .retained6mShare })
        #expect(early.unprotectedRows.first { $0.indicator == .retained6m && $0.territory == rollUp }?.value == 0)
        let onTheDay = try Self.run(extra: "data_end: 2025-12-15")
        let share = onTheDay.unprotectedRows.first { $0.indicator == .retained6mShare && $0.territory == rollUp }
        #expect(share?.value == 0.5 && share?.n == 6)
        let sixMonths = Retention.sixMonths(after: try #require(CalendarDate(year: 2024, month: 8, day: 31)))
        #expect(sixMonths == CalendarDate(year: 2025, month: 2, day: 28))
    }

    /// "CDD 6 mois" is durable under "≥ 6 months", not under "> 6 months" — written as text or as dates.
    @Test func sixMonthBoundary() throws {
        var contracts = Vocabulary(name: "contract_type")
        BuiltinVocabularies.contractTypes.forEach { contracts.add($0) }
        let parsed = ContractParser.parse("CDD 6 mois", vocabulary: contracts)
        #expect(parsed.type == "cdd" && parsed.months == 6)
        #expect(DurableRule(strict: false).verdict(contract: parsed.type, months: parsed.months) == .durable)
        #expect(DurableRule(strict: true).verdict(contract: parsed.type, months: parsed.months) == .notDurable)
        #expect(ContractParser.parse("Intérim (6 mois)", vocabulary: contracts) == ("interim", 6))
        #expect(ContractParser.parse("CDD 1 an", vocabulary: contracts) == ("cdd", 12))
        #expect(ContractParser.parse("Contrat de professionnalisation", vocabulary: contracts) == ("alternance", nil))
        let start = try #require(CalendarDate(year: 2025, month: 3, day: 1)), end = try #require(CalendarDate(year: 2025, month: 8, day: 31))
        #expect(start.months(through: end) == 6)
        let strict = try Self.run(durable: "more_than_6_months")
        let sustainable = strict.unprotectedRows.first { $0.indicator == .hiresSustainable && $0.territory == "lyon" }
        #expect(sustainable?.value == 3)  // C2's six-month CDD no longer counts
    }

    /// A hire dated before every action is never linked to one.
    @Test func hireBeforeEveryActionIsNotLinked() throws {
        var links = ActionLinks()
        let actionDay = try #require(CalendarDate(year: 2025, month: 3, day: 10))
        links.addAction(id: "A1", date: actionDay)
        links.addAttendance(person: 1, organisation: 99, date: actionDay)
        func hire(_ day: Int) -> PathwayEvent {
            PathwayEvent(candidate: 1, kind: .hire, date: actionDay.adding(days: day), territory: "lyon", employer: 99, referrer: nil,
                         referrerType: nil, contractType: "cdi", contractMonths: nil, actionID: "A1", location: .init(source: "t", line: 1))
        }
        #expect(!links.linked(hire: hire(-1), history: [hire(-1)], window: 365))
        #expect(links.linked(hire: hire(0), history: [hire(0)], window: 365))
        #expect(links.linked(hire: hire(365), history: [hire(365)], window: 365))
        #expect(!links.linked(hire: hire(366), history: [hire(366)], window: 365))
    }

    /// An attacker solving every row or column with exactly one unknown, again and again, recovers
    /// no hidden count of the sample's published tables, nor of 300 random small tables.
    @Test func noSuppressedCountIsRecoverable() throws {
        let result = try PipelineRun.execute(pipelinePath: EndToEndTests.pipeline, options: RunOptions(write: false))
        let published = result.summary.rows
        #expect(published.contains { $0.status == .suppressed && IndicatorCatalog.hiringCounts.contains($0.indicator) })
        #expect(recovered(published).isEmpty, "recovered: \(recovered(published))")

        var generator = SeededGenerator(seed: 11)
        for _ in 0..<300 {
            var rows: [IndicatorRow] = []
            let territories = (0..<Int.random(in: 2...4, using: &generator)).map { "t\($0)" }
            let categories = (0..<Int.random(in: 2...5, using: &generator)).map { "c\($0)" }
            var columnTotals = [String: Int](), grand = 0
            for t in territories {
                var rowTotal = 0
                for c in categories {
                    let v = Int.random(in: 0...9, using: &generator)
                    rows.append(IndicatorRow(indicator: .hires, period: "p", territory: t, stakeholderType: "candidat",
                                             dimension: "contract_type", category: c, value: Double(v), n: v))
                    rowTotal += v
                    columnTotals[c, default: 0] += v
                }
                rows.append(IndicatorRow(indicator: .hires, period: "p", territory: t, stakeholderType: "candidat", value: Double(rowTotal), n: rowTotal))
                grand += rowTotal
            }
            for c in categories {
                let v = columnTotals[c] ?? 0
                rows.append(IndicatorRow(indicator: .hires, period: "p", territory: rollUp, stakeholderType: "candidat",
                                         dimension: "contract_type", category: c, value: Double(v), n: v))
            }
            rows.append(IndicatorRow(indicator: .hires, period: "p", territory: rollUp, stakeholderType: "candidat", value: Double(grand), n: grand))
            let protected = SmallCellProtection.protect(rows, k: 5, personBased: \.isPersonBased, additive: [])
            #expect(recovered(protected).isEmpty)
            #expect(!protected.contains { $0.status == .ok && $0.count > 0 && $0.count < 5 })
        }
    }

    /// Hidden cells an attacker can solve from the published parts and totals of a line.
    func recovered(_ rows: [IndicatorRow]) -> [[String]] {
        var known = rows.map { $0.status == .suppressed ? nil : $0.value }
        var solved: [[String]] = []
        var progress = true
        while progress {
            progress = false
            for table in SmallCellProtection.standardTables(rows, additive: [.participations, .participants, .organisations]) {
                for line in SmallCellProtection.lines(table) {
                    guard let total = line.total, line.parts.count > 1 else { continue }
                    let unknown = (line.parts + [total]).filter { known[$0] == nil }
                    guard unknown.count == 1, let cell = unknown.first else { continue }
                    let partsSum = line.parts.compactMap { known[$0] }.reduce(0, +)
                    known[cell] = cell == total ? partsSum : (known[total] ?? 0) - partsSum
                    solved.append(rows[cell].key)
                    progress = true
                }
            }
        }
        return solved
    }
}
