import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Ingest
@testable import IngestXML
@testable import Pipeline
@testable import Records
@testable import Report

/// The committee pack: the report as a committee reads it (labels, plurals, banner, English
/// title), and report.html attacked as an outsider would (well-formed, self-contained, escaped).
@Suite("Committee pack", .serialized)
struct CommitteePackTests {
    /// The sample pipeline file with `edit` applied, its paths made absolute, run into a scratch folder.
    static func run(_ name: String, language: String? = nil, _ edit: (TestPipeline) throws -> TestPipeline = { $0 }) throws -> (RunResult, String) {
        let folder = Paths.scratch(name)
        try edit(try TestPipeline.sample().inputs("\(Paths.root)/inputs")).write(to: "\(folder)/p.yml")
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out", language: language))
        return (result, "\(folder)/out")
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// "Contenu" says what each source holds; XML rows show their declared encoding and no delimiter.
    @Test func qualityAndProvenanceLabelEachSourceByItsKind() throws {
        let report = try Self.read("\(EndToEndTests.committed)/report.md")
        for (source, kind) in [("actions", "actions"), ("emargements", "émargements"), ("presences-saint-etienne", "émargements"),
                               ("questionnaire-conseillers", "questionnaires"), ("questionnaire-industriels", "questionnaires"),
                               ("parcours", "parcours candidats")] {
            #expect(report.contains("| `\(source)` | \(kind) |"), "\(source)")
        }
        #expect(!report.contains("``"), "an empty code span")
        let xmlLine = report.split(separator: "\n").first { $0.contains("presences_saint-etienne_2024-2025.xml") }
        #expect(xmlLine?.contains("| iso-8859-1 | — |") == true, "\(xmlLine ?? "")")
        let english = try Self.run("kinds-en", language: "en").1
        let en = try Self.read("\(english)/report.md")
        #expect(en.contains("| `parcours` | candidate pathway |") && en.contains("| `questionnaire-industriels` | questionnaires |"))
        #expect(en.contains("| `emargements` | attendance |"))
    }

    /// Plural forms by rule, never "(s)": French singular up to 1, English for exactly 1.
    @Test func pluralsFollowTheLanguagesRule() {
        let fr = Labels(language: "fr", territories: .init(name: "t"), stakeholders: .init(name: "s"), actionTypes: .init(name: "a"))
        let en = Labels(language: "en", territories: .init(name: "t"), stakeholders: .init(name: "s"), actionTypes: .init(name: "a"))
        #expect(fr.format(.countOnlyNote, "1").hasPrefix("1 action sans feuille d'émargement : ses participants"))
        #expect(fr.format(.countOnlyNote, "5").hasPrefix("5 actions sans feuille d'émargement : leurs participants"))
        #expect(fr.format(.countOnlyNote, "0").hasPrefix("0 action sans"))
        #expect(en.format(.countOnlyNote, "1").hasPrefix("1 action without an attendance sheet: its participants"))
        #expect(en.format(.countOnlyNote, "0").hasPrefix("0 actions without"))
        #expect(fr.rich(.keyActions, "1", "2025", "Lyon : 1").plain == "1 action menée sur la période 2025 (Lyon : 1).")
        #expect(fr.rich(.keyActions, "39", "2025", "x").plain.hasPrefix("39 actions menées"))
        #expect(fr.format(.suppressedCells, "79", "5").hasPrefix("79 cases du tableau des indicateurs sont masquées"))
        #expect(fr.format(.suppressedCells, "1", "5").hasPrefix("1 case du tableau des indicateurs est masquée"))
        // Decimals: "1,27 point" in French (below 2), "1.27 points" in English; grouped thousands read whole.
        let args = ["a", "b", "c", "d", "e", "f", "g"]
        #expect(fr.format(.significantSentence, "Industriels", "d", "favorable", "+1,27", "a", "b", "c", "d", "9", "e", "").contains("de +1,27 point sur 5"))
        #expect(fr.format(.significantSentence, "Industriels", "d", "favorable", "+2,10", "a", "b", "c", "d", "9", "e", "").contains("de +2,10 points sur 5"))
        #expect(en.format(.significantSentence, "Staff", "d", "favourable", "+1.27", "a", "b", "c", "d", "9", "e", "").contains("of +1.27 points out of 5"))
        #expect(fr.format(.keyRetention, "9", "12", "75 %", "1").hasSuffix("1 embauche est trop récente pour être suivie."))
        #expect(fr.format(.keyRetention, "9", "12", "75 %", "7").hasSuffix("7 embauches sont trop récentes pour être suivies."))
        _ = args
        #expect(fr.format(.keyHires, "1\u{202F}234", "1", "x", "1").hasPrefix("**1\u{202F}234 embauches**"))
        for key in LabelKey.allCases {
            #expect(!(LabelTables.french[key] ?? "").contains("(s)") && !(LabelTables.english[key] ?? "").contains("(s)"), "\(key)")
        }
        let report = (try? Self.read("\(EndToEndTests.committed)/report.md")) ?? ""
        #expect(report.contains("**39\u{00A0}actions** menées") && report.contains("5\u{00A0}actions sans feuille"))
        #expect(report.contains("71\u{00A0}cases du tableau"))
    }

    /// A source whose column name is wrong: the synthesis opens with a warning naming it and what it leaves incomplete.
    @Test func bannerNamesASourceThatCouldNotBeRead() throws {
        let (result, out) = try Self.run("banner") { try $0.setting("sources[emargements].columns.stakeholder_type", "Fonction") }
        #expect(result.exitCode == 1)
        let report = try Self.read("\(out)/report.md")
        let synthesis = try #require(report.components(separatedBy: "## Synthèse\n\n").dropFirst().first)
        #expect(synthesis.hasPrefix("> **Attention\u{202F}: chiffres incomplets**\n>\n> - La source `emargements` n'a pas pu être lue"))
        #expect(synthesis.contains("les chiffres d'émargement (participations, personnes et organisations touchées) sont incomplets"))
        // Only the broken source is named.
        #expect(!synthesis.components(separatedBy: "\n\n")[0].contains("`presences-saint-etienne`"))
        let html = try Self.read("\(out)/report.html")
        let synthesisHTML = try #require(html.components(separatedBy: "<h2>Synthèse</h2>\n").dropFirst().first)
        #expect(synthesisHTML.hasPrefix("<div class=\"banner\" role=\"note\">"))
        #expect(synthesisHTML.contains("<code>emargements</code> n&#39;a pas pu être lue"))
        // Above the reject-rate threshold: named too; the clean sample has no banner.
        let strict = try Self.run("banner-rate") { try $0.setting("quality.max_reject_rate", "0.05") }.1
        #expect(try Self.read("\(strict)/report.md").contains("> - La source `actions` a 9,1\u{202F}% d'enregistrements rejetés, au-delà du seuil fixé (5,0\u{202F}%)"))
        #expect(!(try Self.read("\(EndToEndTests.committed)/report.md")).contains("chiffres incomplets"))
    }

    /// `title_en` and `programme_en` give the English report its title and running header.
    @Test func englishTitleAndProgramme() throws {
        let out = try Self.run("title-en", language: "en").1
        let report = try Self.read("\(out)/report.md")
        #expect(report.hasPrefix("# Impact report — Déclic Industrie\n\n**Programme**: Déclic Industrie (ILYSE Foundation)"))
        let html = try Self.read("\(out)/report.html")
        #expect(html.contains("<title>Impact report — Déclic Industrie</title>"))
        #expect(html.contains("content: \"Déclic Industrie (ILYSE Foundation) — 2024-2025\""))
        #expect(html.contains("<html lang=\"en\">"))
        // Without title_en, the English report keeps the French title rather than inventing one.
        let plain = try Self.run("title-fr", language: "en") { try $0.removing("title_en") }.1
        #expect(try Self.read("\(plain)/report.md").hasPrefix("# Rapport d'impact — Déclic Industrie\n"))
        let french = try Self.read("\(EndToEndTests.committed)/report.html")
        #expect(french.contains("<title>Rapport d&#39;impact — Déclic Industrie</title>") && french.contains("<html lang=\"fr\">"))
    }

    /// report.html reads alone: no URL, no script, no stylesheet or image fetched; every chart inline; well-formed XML.
    @Test func htmlIsSelfContainedAndWellFormed() throws {
        let path = "\(EndToEndTests.committed)/report.html"
        let html = try Self.read(path)
        for forbidden in ["http:", "https:", "<script", "<link", "<img", "<iframe", " src=", "url(", "@import"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        let svgFiles = try FileManager.default.contentsOfDirectory(atPath: EndToEndTests.committed).filter { $0.hasSuffix(".svg") }
        #expect(html.components(separatedBy: "<svg ").count - 1 == svgFiles.count)
        #expect(html.contains("@page { size: A4;") && html.contains("counter(pages)"))
        try XMLCheck.validate(path: path)
        // Every id once (several charts share the page).
        let ids = html.matches(of: /id="([^"]+)"/).map { String($0.1) }
        #expect(Set(ids).count == ids.count && !ids.isEmpty)
    }

    /// A territory label and a programme name that try to inject markup come out as text, everywhere.
    @Test func htmlEscapesEveryLabel() throws {
        let attack = #"<script>alert("x")</script> & 'Lyon'"#
        let (_, out) = try Self.run("escape") {
            try $0.setting("vocabularies.territory.lyon.label", "'\(attack.replacing("'", with: "''"))'")
                .setting("programme", #""</style><script>x</script> \" \\ A&B""#)
        }
        let html = try Self.read("\(out)/report.html")
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Lyon&#39;"))
        // The running header is a CSS string: no "</style>" can close the sheet early.
        #expect(html.components(separatedBy: "</style>").count == 2)
        #expect(html.contains(#"content: "\3C /style\3E \3C script\3E x\3C /script\3E  \" \\ A\26 B — 2024-2025""#))
        try XMLCheck.validate(path: "\(out)/report.html")
        let markdown = try Self.read("\(out)/report.md")
        #expect(!markdown.contains("<script") && markdown.contains("&lt;script>alert"))
        for chart in try FileManager.default.contentsOfDirectory(atPath: out) where chart.hasSuffix(".svg") {
            #expect(!(try Self.read("\(out)/\(chart)")).contains("<script"), "\(chart)")
        }
    }

    /// Charts are as wide as their longest text: the English retrospective title is no longer cut.
    @Test func chartsAreAsWideAsTheirText() throws {
        let out = try Self.run("widths", language: "en").1
        let svg = try Self.read("\(out)/perceived-shift-industriel-2024-2025.svg")
        let title = "Mean change by dimension — Industrial staff — perceived change — 2024-2025"
        #expect(svg.contains(">\(title)</text>"))
        let width = try #require(svg.firstMatch(of: /width="([0-9.]+)"/).flatMap { Double($0.1) })
        #expect(width >= TextWidth.of(title, size: 15, bold: true) + 10)
        // From DejaVu Sans Bold with fontTools: "W" advances 2259/2048 em (1.103), "i" 702/2048 (0.343); at 15 px.
        #expect(abs(TextWidth.of("Wi", size: 15, bold: true) - (1.103 + 0.343) * 15) < 0.1)
    }

    /// The name kept for an organisation's key is the smallest spelling, whatever the order of the files.
    @Test func organisationNameIsTheSameWhateverTheOrder() {
        var a: [UInt64: String] = [1: "SAS Dupré"], b: [UInt64: String] = [1: "sas dupre"]
        OrganisationNames.merge(&a, [1: "sas dupre"])
        OrganisationNames.merge(&b, [1: "SAS Dupré"])
        #expect(a == b && a[1] == "SAS Dupré")
    }

    /// In the sample, read back from the report: only organisations of at least k people are named,
    /// the named and unnamed add up to the published organisation count, and a refresh lists the same.
    @Test func sampleReportNamesOrganisationsFromKPeople() throws {
        let report = try Self.read("\(EndToEndTests.committed)/report.md")
        let section = try #require(report.components(separatedBy: "**Organisations touchées (personnes inscrites sur les feuilles d'émargement)**\n\n").dropFirst().first)
        let rows = section.split(separator: "\n").prefix { $0.hasPrefix("|") }.dropFirst(2)
        let counts = rows.compactMap { Int($0.split(separator: "|").last?.trimmingCharacters(in: .whitespaces) ?? "") }
        #expect(counts.count == rows.count && !counts.isEmpty && counts.allSatisfy { $0 >= 5 })
        let unnamed = try #require(section.split(separator: "\n").first { $0.contains("ne sont pas nommées") }
            .flatMap { Int($0.prefix { $0.isNumber }) })
        #expect(counts.count + unnamed == 26)  // the published "organisations" figure
        // The second refresh reads only the new export: the first one's names come from the store.
        let w = try RefreshTests.Workspace("orgs")
        try w.export("a", 0..<200)
        _ = try w.refresh()
        try w.export("b", 200..<w.lines.count)
        _ = try w.refresh()
        let refreshed = try Self.read("\(w.out)/report.md")
        let run = try PipelineRun.execute(pipelinePath: w.pipeline, options: RunOptions(outputFolder: Paths.scratch("orgs-run")))
        let ran = try Self.read("\(run.outputFolder)/report.md")
        func list(_ r: String) -> String? { r.components(separatedBy: "\n## Évolution des perceptions").first?.components(separatedBy: "**Organisations touchées").dropFirst().first }
        #expect(list(refreshed) != nil && list(refreshed) == list(ran))
    }
}
