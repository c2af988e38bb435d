import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Pipeline
@testable import PipelineFile
@testable import Records
@testable import Report

/// The outputs attacked as an outsider would: the written files read back, every relation solved.
@Suite("Disclosure", .serialized)
struct DisclosureTests {
    /// Hidden cells the outsider recovered with their true value (from the run's unprotected figures).
    static func disclosures(folder: String, result: RunResult, config: PipelineConfig) throws -> [String] {
        let published = try PublishedFigures(folder: folder)
        let dimensions = Dictionary(grouping: config.questionnaire.items, by: \.dimension).mapValues { $0.map(\.id) }
        var outsider = Outsider(published, dimensions: dimensions)
        outsider.attack()
        let truth = Dictionary(result.unprotectedRows.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        return outsider.solved.compactMap { key, value in
            let (base, part) = Outsider.base(key)
            guard let row = truth[base] else { return nil }
            let actual: Double?
            switch part {
            case "n": actual = Double(row.count)
            case "answered": actual = row.value.map { ($0 * Double(row.count)).rounded() }
            default: actual = outsider.perceptionFamily(key[0]) != nil || key[0] == "perception_shift_unpaired" ? Double(row.count) : row.value
            }
            return actual.map { abs($0 - value) < 1e-6 } == true ? "\(key.joined(separator: ",")) = \(value)" : nil
        }.sorted()
    }

    /// A suppressed row has no figure in either CSV; the Excel CSV says what indicators.csv says.
    static func suppressedRowsAreBlank(_ folder: String, labels: Labels) throws {
        let csv = try records("\(folder)/indicators.csv").dropFirst()
        let excel = try records("\(folder)/indicators-excel.csv", delimiter: UInt8(ascii: ";")).dropFirst()
        #expect(csv.count == excel.count)
        for (c, e) in zip(csv, excel) {
            #expect(c[0] == e[0] && c[1] == e[2], "\(c) / \(e)")
            let numbers = Array(c[6...9]), excelNumbers = Array(e[7...10]).map { $0.replacing(",", with: ".") }
            #expect(numbers == excelNumbers, "\(c) / \(e)")
            #expect(labels.status(IndicatorStatus(rawValue: c[10]) ?? .ok) == e[11])
            if c[10] == "suppressed" { #expect(numbers.allSatisfy { $0.isEmpty }, "a suppressed row with a figure: \(c)") }
        }
    }

    /// Every table of report.md shows exactly what indicators.csv publishes: the figure, or « s » where it is hidden.
    static func reportShowsOnlyPublishedFigures(_ folder: String, config: PipelineConfig, labels: Labels) throws {
        let published = try PublishedFigures(folder: folder)
        let report = try String(contentsOfFile: "\(folder)/report.md", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let territories = config.territories.ids + [rollUp], types = config.stakeholderTypes.ids + [rollUp]
        // Labels are typeset (no-break spaces): compared with plain spaces.
        func plain(_ text: String) -> String { text.replacing("\u{00A0}", with: " ").replacing("\u{202F}", with: " ") }
        func id(_ label: String, among ids: [String], _ show: (String) -> String) -> String? { ids.first { plain(show($0)) == plain(label) } }
        func expected(_ key: [String], count: Bool = false, shown: String) -> String {
            // No row: nothing to publish, shown as 0 or a dash.
            guard let f = published[key] else { return shown == "0" ? "0" : "—" }
            if f.hidden { return labels[.suppressedMark] }
            return (count ? f.n.map(Double.init) : f.value).map { labels.number($0) } ?? "—"
        }
        var checked = 0
        var i = 0
        while i < report.count {
            guard report[i].hasPrefix("| "), i + 1 < report.count, report[i + 1].hasPrefix("|--") else { i += 1; continue }
            let start = i
            let title = report[..<i].last { !$0.isEmpty } ?? ""
            let header = cells(report[i])
            var rows: [[String]] = []
            var j = i + 2
            while j < report.count, report[j].hasPrefix("| ") { rows.append(cells(report[j])); j += 1 }
            i = j
            let period = published.keys.first.map { $0[1] } ?? ""
            let columnTerritories = header.dropFirst().map { $0 == labels[.colTotal] ? rollUp : id($0, among: territories, labels.territory) }
            for row in rows {
                var pairs: [([String], String, Bool)] = []  // key, shown, compare n
                if plain(header.first ?? "") == plain(labels[.colStep]) {
                    let step = HiringSection.steps.first { plain(HiringSection.stepLabel($0, labels)) == plain(row[0]) }?.id ?? ""
                    for (t, shown) in zip(columnTerritories, row.dropFirst()) { if let t { pairs.append(([step, period, t, "candidat", "", ""], shown, false)) } }
                } else if header.first == labels[.colContract] || header.first == labels[.colReferrer] {
                    let dimension = header.first == labels[.colContract] ? "contract_type" : "referrer_type"
                    let categories = Set(published.keys.filter { $0[4] == dimension }.map { $0[5] })
                    let category = categories.first { plain(labels.category(dimension, $0)) == plain(row[0]) } ?? ""
                    for (t, shown) in zip(columnTerritories, row.dropFirst()) {
                        if let t { pairs.append((["hires", period, t, "candidat", dimension, category], shown, false)) }
                    }
                } else if title.contains(labels[.participantsByType]), let t = id(row[0], among: territories, labels.territory) {
                    let columnTypes = header.dropFirst().map { $0 == labels[.colTotal] ? rollUp : id($0, among: types, labels.stakeholder) }
                    for (s, shown) in zip(columnTypes, row.dropFirst()) { if let s { pairs.append((["participants", period, t, s, "", ""], shown, false)) } }
                } else if title.contains(labels[.reachByTerritory]), let t = id(row[0], among: territories, labels.territory) {
                    for (indicator, shown) in zip(["participations", "participants", "organisations"], row.dropFirst(2)) {
                        pairs.append(([indicator, period, t, rollUp, "", ""], shown, false))
                    }
                } else if header.first == labels[.colDimension2], header.count > 2, header[1] == labels[.colTerritory],
                          let t = id(row[1], among: territories, labels.territory),
                          let d = config.questionnaire.dimensions.first(where: { plain(labels.dimension($0.id)) == plain(row[0]) })?.id {
                    // Which design: the closest "### … — …" heading above.
                    let heading = plain(report[..<start].last { $0.hasPrefix("### ") } ?? "")
                    let indicator = heading.contains(plain(labels[.perceptionRetrospective])) ? "retro_perception_shift" : "perception_shift"
                    let type = types.first { heading.hasPrefix(plain("### \(labels.stakeholder($0))")) && $0 != rollUp } ?? ""
                    pairs.append(([indicator, period, t, type, "dimension", d], row[row.count - 1], true))
                } else if header.first == labels[.colTheme] {
                    guard let theme = config.themes.themes.first(where: { plain($0.label) == plain(row[0]) }) else { continue }
                    let columnTypes = header.dropFirst(2).map { $0 == labels[.colTotal] ? rollUp : id($0, among: types, labels.stakeholder) }
                    for (s, shown) in zip(columnTypes, row.dropFirst(2)) {
                        if let s { pairs.append((["theme_mentions", period, rollUp, s, theme.kind.rawValue, theme.id], shown, false)) }
                    }
                }
                for (key, marked, count) in pairs {
                    // " †": the figure adds declared head counts (said under the table).
                    let shown = marked.hasSuffix(" †") ? String(marked.dropLast(2)) : marked
                    #expect(shown == expected(key, count: count, shown: shown), "report.md \(title) row \(row): \(key) shows '\(shown)'")
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }

    static func cells(_ line: String) -> [String] {
        line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func labels(_ config: PipelineConfig) -> Labels {
        Labels(language: config.language, territories: config.territories, stakeholders: config.stakeholderTypes,
               actionTypes: config.actionTypes, questionnaire: config.questionnaire)
    }

    /// The bundled sample: nothing hidden is recoverable from the files written, and they agree.
    @Test func theSampleDisclosesNothing() throws {
        let folder = Paths.scratch("attack-sample")
        let result = try PipelineRun.execute(pipelinePath: EndToEndTests.pipeline, options: RunOptions(outputFolder: folder))
        let config = try PipelineLoader.load(path: EndToEndTests.pipeline)
        let published = try PublishedFigures(folder: folder)
        #expect(published.figures.values.contains { $0.hidden })
        #expect(try Self.disclosures(folder: folder, result: result, config: config) == [])
        try Self.suppressedRowsAreBlank(folder, labels: Self.labels(config))
        try Self.reportShowsOnlyPublishedFigures(folder, config: config, labels: Self.labels(config))
    }

    /// The store's snapshots, as `impact history --csv` prints them, are blank where the figure is hidden.
    @Test func historyPrintsNoHiddenFigure() throws {
        let w = try RefreshTests.Workspace("history-blank")
        try w.export("all", 0..<w.lines.count)
        _ = try w.refresh()
        let lines = try Pipeline.History.lines(pipelinePath: w.pipeline, filter: .init(indicator: "hires", territory: nil, dimension: nil), csv: true)
        let hidden = lines.filter { $0.contains(",suppressed,") }
        #expect(!hidden.isEmpty)
        for line in hidden {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(cells[7].isEmpty && cells[8].isEmpty && cells[10].isEmpty, "\(line)")
        }
    }

    /// Before the audit, complementary suppression left the sample's hires by contract recoverable
    /// from bounds alone: alternance + création + intérim = 15 − 5 − 5 = 5, each hidden total ≥ its parts.
    @Test func boundsAloneRecoveredTheOldContractTable() {
        var rows: [IndicatorRow] = []
        func add(_ t: String, _ c: String, _ v: Int) {
            rows.append(IndicatorRow(indicator: .hires, period: "p", territory: t, stakeholderType: "candidat", dimension: c.isEmpty ? "" : "contract_type",
                                     category: c, value: Double(v), n: v))
        }
        for (t, cells) in [("lyon", [("alternance", 1), ("cdd", 3), ("cdi", 1), ("interim", 1)]),
                           ("ste", [("alternance", 1), ("cdd", 2), ("cdi", 4), ("creation", 1), ("interim", 1)])] {
            for (c, v) in cells { add(t, c, v) }
            add(t, "", cells.reduce(0) { $0 + $1.1 })
        }
        for (c, v) in [("alternance", 2), ("cdd", 5), ("cdi", 5), ("creation", 1), ("interim", 2)] { add(rollUp, c, v) }
        add(rollUp, "", 15)
        let tables = SmallCellProtection.standardTables(rows, additive: [])
        var complemented = rows
        for i in complemented.indices where complemented[i].count < 5 && complemented[i].category != "" { complemented[i].suppress() }
        for table in tables { _ = SmallCellProtection.complement(&complemented, table) }
        var system = DisclosureSystem()
        for table in tables {
            for line in SmallCellProtection.lines(table) {
                let terms = line.parts.map { ($0, 1) } + (line.total.map { [($0, -1)] } ?? [])
                system.add(terms.map { ($0.0, $0.1, SmallCellProtection.measure(complemented[$0.0], table)) })
            }
        }
        #expect(!system.pinned().isEmpty, "the bounds attack finds the intérim, alternance and création cells")
        let protected = SmallCellProtection.protect(rows, k: 5, additive: [])
        #expect(protected.filter { $0.status == .suppressed }.count > complemented.filter { $0.status == .suppressed }.count)
    }

    /// The sample's industrial staff: 38 + 13 + 4 pairs by actions attended of the dimension's 55 hide
    /// "2" and "3+"; the 13 who attended an Ambassadeurs action are another figure that happens to
    /// share that n (it was hidden with "2" as its twin, leaving a hole in the report's table).
    @Test func formatsWithTheSameNAreNotTwins() {
        func row(_ indicator: Indicator, _ dimension: String, _ category: String, _ n: Int) -> IndicatorRow {
            IndicatorRow(indicator: indicator, period: "p", territory: rollUp, stakeholderType: "industriel", dimension: dimension,
                         category: category, value: 0.5, n: n, ciLow: 0.1, ciHigh: 0.9)
        }
        let rows = [row(.retroPerceptionShift, "dimension", "regard", 55),
                    row(.retroPerceptionShiftByActionsAttended, "regard", "1", 38),
                    row(.retroPerceptionShiftByActionsAttended, "regard", "2", 13),
                    row(.retroPerceptionShiftByActionsAttended, "regard", "3+", 4),
                    row(.retroPerceptionShiftByActionType, "regard", "ambassadeur", 13)]
        let hidden = SmallCellProtection.protect(rows, k: 5).filter { $0.status == .suppressed }.map(\.category)
        #expect(hidden.sorted() == ["2", "3+"])
    }
}

/// Hundreds of generated programmes through the real pipeline, in two halves that run side by side:
/// zero suppressed rows with a figure, nothing recoverable, the report agreeing with the CSV.
@Suite("Disclosure on random programmes")
struct RandomProgrammeDisclosureTests {
    @Test(arguments: [2026, 2027] as [UInt64])
    func randomProgrammesDiscloseNothing(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        var hiddenSeen = 0
        for programme in 0..<100 {
            let folder = Paths.scratch("attack-\(seed)-\(programme)")
            let pipeline = try RandomProgramme(&generator).write(to: folder)
            let result = try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(outputFolder: "\(folder)/out"))
            let config = try PipelineLoader.load(path: pipeline)
            let found = try DisclosureTests.disclosures(folder: "\(folder)/out", result: result, config: config)
            #expect(found.isEmpty, "programme \(programme) (\(folder)): \(found)")
            try DisclosureTests.suppressedRowsAreBlank("\(folder)/out", labels: DisclosureTests.labels(config))
            try DisclosureTests.reportShowsOnlyPublishedFigures("\(folder)/out", config: config, labels: DisclosureTests.labels(config))
            hiddenSeen += try PublishedFigures(folder: "\(folder)/out").figures.values.filter(\.hidden).count
            if !found.isEmpty { break }
            try? FileManager.default.removeItem(atPath: folder)
        }
        #expect(hiddenSeen > 500, "the generated programmes must exercise the protection")
    }
}

/// A small programme drawn at random: 2–4 territories, actions with attendance sheets or head counts,
/// advisers' and industrial staff's before/after answers (one dimension of one item), candidates'
/// pathways with contracts and referrers, and comments citing themes — most groups near k.
struct RandomProgramme {
    let k: Int
    let territories: [String]
    var actions: [String] = ["id;date;territoire;type;nb_candidats"]
    var attendance: [String] = ["action,personne,profil,structure"]
    var responses: [String] = ["id,territoire,profil,date,vague,q1,q2,q3,commentaire"]
    var pathway: [String] = ["candidat;etape;date;territoire;employeur;orienteur;type orienteur;contrat"]

    init<G: RandomNumberGenerator>(_ g: inout G) {
        k = Int.random(in: 3...6, using: &g)
        territories = (0..<Int.random(in: 2...4, using: &g)).map { "Terr\($0)" }
        let actionTypes = ["ZI Tour", "Vis ma vie", "Visite SIAE", "Ambassadeurs", "Vidéo"]
        let profiles = ["Conseiller", "Industriel", "Candidat"]
        var actionIDs: [(String, String)] = []
        for a in 0..<Int.random(in: 3...9, using: &g) {
            let territory = territories.randomElement(using: &g) ?? "Terr0"
            let day = Int.random(in: 1...28, using: &g), month = Int.random(in: 1...12, using: &g)
            let counted = Int.random(in: 0..<6, using: &g) == 0
            actions.append("A\(a);\(day)/\(month)/2025;\(territory);\(actionTypes.randomElement(using: &g) ?? "ZI Tour");\(counted ? String(Int.random(in: 1...9, using: &g)) : "")")
            if !counted { actionIDs.append(("A\(a)", territory)) }
        }
        for (id, territory) in actionIDs {
            for _ in 0..<Int.random(in: 0...9, using: &g) {
                let person = Int.random(in: 0..<12, using: &g), profile = profiles[person % 3]
                attendance.append("\(id),p\(person)-\(territory)@exemple.fr,\(profile),Structure \(Int.random(in: 0..<4, using: &g))")
            }
        }
        let comments = ["", "", "L'accès au site est difficile sans voiture", "Les salaires et primes sont attractifs", "Horaires en 3x8"]
        // Half the programmes key respondents by the attendance sheets' e-mails: response rates and the
        // shift by format attended are then published, and attacked.
        let linked = Bool.random(using: &g)
        for r in 0..<Int.random(in: 0...30, using: &g) {
            let territory = territories.randomElement(using: &g) ?? "Terr0", profile = r % 2 == 0 ? "Conseiller" : "Industriel"
            let id = linked ? "p\(3 * ((r / 2) % 4) + r % 2)-\(territory)@exemple.fr" : "R\(r)"
            for wave in ["avant", "après"] where Int.random(in: 0..<5, using: &g) > 0 {
                let answers = (0..<3).map { _ in Int.random(in: 0..<7, using: &g) }.map { $0 == 0 ? "NSP" : $0 > 5 ? "" : String($0) }
                responses.append("\(id),\(territory),\(profile),\(wave == "avant" ? "01/02/2025" : "01/06/2025"),\(wave),\(answers.joined(separator: ",")),\(comments.randomElement(using: &g) ?? "")")
            }
        }
        let contracts = ["CDI", "CDD 8 mois", "CDD", "Intérim (3 mois)", "Création d'entreprise", "Contrat pro"]
        let referrers = ["France Travail", "Mission Locale", "SIAE", "Cap Emploi"]
        for c in 0..<Int.random(in: 0...20, using: &g) {
            let territory = territories.randomElement(using: &g) ?? "Terr0", referrer = referrers.randomElement(using: &g) ?? ""
            pathway.append("C\(c);Mise en relation;2025-01-\(10 + c % 10);\(territory);;Orienteur \(c % 3);\(referrer);")
            if Int.random(in: 0..<3, using: &g) > 0 { pathway.append("C\(c);Entretien;2025-02-01;\(territory);Usine \(c % 4);;;") }
            if Int.random(in: 0..<2, using: &g) > 0 {
                pathway.append("C\(c);Embauche;2025-03-\(10 + c % 10);\(territory);Usine \(c % 4);;;\(contracts.randomElement(using: &g) ?? "CDI")")
                if Int.random(in: 0..<2, using: &g) > 0 { pathway.append("C\(c);Maintien à 6 mois;2025-09-20;\(territory);Usine \(c % 4);;;") }
            }
        }
    }

    /// Writes the exports and the pipeline file; returns the pipeline file's path.
    func write(to folder: String) throws -> String {
        for (name, lines) in [("actions.csv", actions), ("emargements.csv", attendance), ("reponses.csv", responses), ("parcours.csv", pathway)] {
            try (lines.joined(separator: "\n") + "\n").write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        }
        let vocabulary = territories.map { "\($0.lowercased()): [\($0)]" }.joined(separator: ", ")
        let pipeline = """
        outputs: {folder: out}
        privacy: {k: \(k)}
        quality: {max_reject_rate: 1}
        vocabularies:
          territory: {\(vocabulary)}
        themes:
          obstacles: {acces: [accès, voiture], horaires: [horaire, 3x8]}
          levers: {salaire: [salaire, prime]}
        questionnaire:
          dimensions: {d1: Un, d2: Deux}
          items:
            q1: {label: Q1, dimension: d1}
            q2: {label: Q2, dimension: d1, reverse: true}
            q3: {label: Q3, dimension: d2}
        sources:
          - {name: actions, kind: actions, path: actions.csv, columns: {action_id: id, date: date, territory: territoire, action_type: type}, counts: {candidat: nb_candidats}}
          - {name: emargements, kind: attendance, path: emargements.csv, columns: {action_id: action, person: personne, stakeholder_type: profil, organisation: structure}}
          - name: reponses
            kind: responses
            path: reponses.csv
            wave: column
            columns: {respondent: id, territory: territoire, stakeholder_type: profil, date: date, wave: vague, comment: commentaire}
            items: {q1: q1, q2: q2, q3: q3}
          - name: parcours
            kind: pathway
            path: parcours.csv
            columns: {candidate: candidat, event: etape, date: date, territory: territoire, employer: employeur, referrer: orienteur, referrer_type: type orienteur, contract: contrat}
        """
        try pipeline.write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        return "\(folder)/p.yml"
    }
}

