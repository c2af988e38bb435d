import Foundation
import Testing
import TestSupport
@testable import Indicators
@testable import Pipeline
@testable import Records
@testable import Report

/// Where pandoc is, if anywhere (CI installs Debian's).
let pandocPath = ["/usr/bin/pandoc", "/usr/local/bin/pandoc"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("The committee report", .serialized)
struct ReportTests {
    /// CSV fields, written by hand: quoted when they hold the delimiter, a quote or a line break
    /// (quotes doubled), a leading formula character neutralised with an apostrophe (inside the
    /// quotes), a first character beyond ASCII left alone, and a CRLF line end kept whole.
    @Test func csvFieldsByHand() {
        #expect(CSVText.field("Lyon") == "Lyon")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("a;b", delimiter: ";") == "\"a;b\"")
        #expect(CSVText.field("a,b", delimiter: ";") == "a,b")
        #expect(CSVText.field("dit \"oui\"") == "\"dit \"\"oui\"\"\"")
        #expect(CSVText.field("=1+1") == "'=1+1")
        #expect(CSVText.field("-3,5", delimiter: ";") == "'-3,5")
        #expect(CSVText.field("@x,y") == "\"'@x,y\"")
        #expect(CSVText.field("\tx") == "'\tx")
        #expect(CSVText.field("\r\nx") == "\"'\r\nx\"")
        #expect(CSVText.field("Été, 2025") == "\"Été, 2025\"")
        #expect(CSVText.quoted("-1,5", delimiter: ";") == "-1,5")
        #expect(CSVText.quoted("1,5") == "\"1,5\"")
        #expect(CSVText.field("") == "")
        var out = CSVBytes()
        out.field("=a")
        out.append(byte: UInt8(ascii: ";"))
        out.append("\r\n")
        #expect(out.bytes == Array("'=a;\r\n".utf8))
    }

    /// The report is GitHub-flavoured Markdown pandoc converts to HTML without a warning.
    @Test(.enabled(if: pandocPath != nil, "pandoc is not installed: `apt-get install pandoc` to run this check"))
    func pandocConvertsTheReportWithoutWarnings() throws {
        for language in ["fr", "en"] {
            let folder = Paths.scratch("pandoc")
            _ = try PipelineRun.execute(pipelinePath: EndToEndTests.pipeline, options: RunOptions(outputFolder: folder, language: language))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pandocPath ?? "")
            process.arguments = ["-f", "gfm", "-t", "html5", "--standalone", "--metadata", "pagetitle=Rapport",
                                 "--fail-if-warnings", "report.md", "-o", "pandoc.html"]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(language): \(message)")
            #expect(message.isEmpty, "\(language): \(message)")
            let html = try String(contentsOfFile: "\(folder)/pandoc.html", encoding: .utf8)
            #expect(html.contains("<table"))
            #expect(html.contains("funnel-2024-2025.svg"))
        }
    }

    /// Sections in the order of docs/design.md §8.
    @Test func sectionsInOrder() throws {
        let report = try String(contentsOfFile: "\(EndToEndTests.committed)/report.md", encoding: .utf8)
        let order = ["## Synthèse", "## Portée des actions", "## Évolution des perceptions", "## Recrutements",
                     "## Freins et leviers cités", "## Objectifs", "## Limites", "## Qualité des données", "## Méthode", "## Provenance"]
        let positions = order.map { report.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let synthesis = report.components(separatedBy: "## Synthèse")[1].components(separatedBy: "## ")[0]
        let bullets = synthesis.split(separator: "\n").filter { $0.hasPrefix("- ") }.count
        #expect((5...10).contains(bullets), "\(bullets) key figures")
        #expect(report.contains("*Données du 1er septembre 2024 au 16\u{00A0}août 2025*"))
    }

    /// With calendar years the sample spans 2024 and 2025: key figures compared where both are published.
    @Test func comparisonWithThePreviousPeriod() throws {
        let folder = Paths.scratch("compare")
        try TestPipeline.sample().inputs("\(Paths.root)/inputs").setting("periods.scheme", "calendar").removing("periods.start_month")
            .write(to: "\(folder)/p.yml")
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
        #expect(result.summary.periods == ["2024", "2025"])
        let report = try String(contentsOfFile: "\(folder)/out/report.md", encoding: .utf8)
        let section = try #require(report.components(separatedBy: "## Comparaison avec la période précédente").dropFirst().first)
        let actions2024 = try #require(result.summary.row(.actions, "2024")?.value)
        let actions2025 = try #require(result.summary.row(.actions, "2025")?.value)
        let line = section.split(separator: "\n").first { $0.hasPrefix("| Actions |") }
        let change = String(format: "%+.0f", actions2025 - actions2024).replacing("-", with: "−")
        #expect(line?.hasPrefix("| Actions | \(Int(actions2024)) | \(Int(actions2025)) | \(change)") == true, "\(line ?? "")")
        // Nothing hidden is compared: every figure shown is published in both periods.
        #expect(!section.contains("| s |"))
    }

    @Test func quotesAreScrubbed() {
        let names: Set<String> = ["camille", "martin"]
        let text = "Merci à Camille Martin, joignable au 06 12 34 56 78 ou camille.martin@exemple.fr (ou +33 6 12 34 56 78)."
        #expect(ThemeText.scrub(text, names: names, email: "[courriel]", phone: "[téléphone]", name: "[nom]")
                == "Merci à [nom], joignable au [téléphone] ou [courriel] (ou [téléphone]).")
        #expect(ThemeText.scrub("Année 2025, 12 candidats", names: names, email: "e", phone: "p", name: "n") == "Année 2025, 12 candidats")
    }

    /// Themes match regardless of case, accents and plurals; each respondent counts once per theme.
    @Test func themesByHand() throws {
        let themes = [("acces", ThemeKind.obstacle, [ThemeText.words("transport en commun"), ThemeText.words("accès")]),
                      ("salaire", .lever, [ThemeText.words("salaires")])]
        func response(_ id: UInt64, _ type: String, _ comment: String) -> SurveyResponse {
            SurveyResponse(respondent: id, stakeholderType: type, territory: "lyon", date: CalendarDate(year: 2025, month: 5, day: 1)!,
                           wave: .post, answers: [], before: [], comment: comment, location: .init(source: "t", line: Int(id)))
        }
        let (rows, quotes) = ThemeIndicators.compute([
            response(1, "prescripteur", "Les TRANSPORTS EN COMMUN manquent ; l'ACCES est dur."),
            response(2, "prescripteur", "Le salaire est bon"),
            response(3, "industriel", "Pas d'acces sans voiture, et les salaires..."),
            response(4, "industriel", "Rien à signaler"),
        ], themes: themes, scheme: .calendarYear)
        func v(_ theme: String, _ type: String) -> Double? {
            rows.first { $0.category == theme && $0.territory == "ALL" && $0.stakeholderType == type }?.value
        }
        #expect(v("acces", "prescripteur") == 1)
        #expect(v("acces", "industriel") == 1)
        #expect(v("acces", "ALL") == 2)
        #expect(v("salaire", "ALL") == 2)
        #expect(quotes["acces"]?.count == 2)
    }
}
