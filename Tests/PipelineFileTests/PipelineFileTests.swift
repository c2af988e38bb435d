import Foundation
import Testing
import InputFiles
import TestSupport
@testable import PipelineFile
@testable import Records

@Suite("Pipeline file")
struct PipelineFileTests {
    func error(_ text: String, folder: String) -> PipelineFileError? {
        do {
            _ = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: folder)
            return nil
        } catch let e as PipelineFileError {
            return e
        } catch {
            return PipelineFileError(file: "", line: -1, key: "", message: "\(error)")
        }
    }

    @Test func validFileLoads() throws {
        let (text, folder) = TestPipeline.minimal()
        let config = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: folder)
        #expect(config.sources.count == 1)
        #expect(config.privacyK == 5)
        #expect(config.territories.resolve("LYON") == "lyon")
        #expect(config.stakeholderTypes.resolve("Mission Locale") == "prescripteur")
        #expect(config.outputFolder == "\(folder)/out")
    }

    /// The pipeline file is read once: its hash is of the bytes parsed (sha256sum of the file), and
    /// each partner-XML column is put to the XPath check the caller gives, a refused one reported at
    /// its own line and key.
    @Test func loadedPipelineHashesWhatItParsedAndChecksXPaths() throws {
        let xml = """
              - name: presences
                kind: attendance
                format: xml
                path: a.csv
                xml: {record: /Export/Participant}
                columns:
                  action_id: "@seance"
                  person: Courriel
                  stakeholder_type: "Profil["
            """
        let (text, folder) = TestPipeline.minimal(source: xml)
        try text.write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        var asked: [String] = []
        let error = #expect(throws: PipelineFileError.self) {
            _ = try LoadedPipeline(path: "\(folder)/p.yml") { xpath in asked.append(xpath); return !xpath.hasSuffix("[") }
        }
        #expect(asked == ["@seance", "Courriel", "Profil["])  // fields in key order, up to the refused one
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("Profil[") }.map { $0 + 1 }
        #expect(error?.line == line && error?.key == "sources[0].columns.stakeholder_type", "\(String(describing: error))")
        let loaded = try LoadedPipeline(path: "\(folder)/p.yml") { _ in true }
        #expect(loaded.sha256 == (try FileDigest.sha256(path: "\(folder)/p.yml")).hex)
        #expect(loaded.config.sources[0].columnReferences.map(\.description) == ["@seance", "Courriel", "Profil["])
    }

    /// A target's stakeholder type: every type for reach figures, candidates for hiring ones, unless given.
    @Test func targetsDefaultStakeholderType() throws {
        let (text, folder) = TestPipeline.minimal("""
            targets:
              - {indicator: participants, value: 100}
              - {indicator: hires, value: 20}
              - {indicator: hires, stakeholder_type: conseiller, value: 3}
            """)
        let targets = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: folder).targets
        #expect(targets.map(\.stakeholderType) == ["ALL", "candidat", "prescripteur"])
    }

    @Test func typoInKeyNamesLineAndSuggestion() throws {
        let (text, folder) = TestPipeline.minimal()
        let typo = try TestPipeline(text: text).renaming("sources[actions].columns", to: "colums").text
        let e = try #require(error(typo, folder: folder))
        #expect(e.line == 12)
        #expect(e.key == "sources[0].colums")
        #expect(e.description.hasPrefix("p.yml:12: sources[0].colums: unknown key"))
        #expect(e.message.contains("did you mean 'columns'?"))
    }

    @Test func missingSourceFile() throws {
        let (text, folder) = TestPipeline.minimal()
        let e = try #require(error(try TestPipeline(text: text).setting("sources[actions].path", "absent.csv").text, folder: folder))
        #expect(e.line == 11)
        #expect(e.key == "sources[0].path")
        #expect(e.message.contains("no such file"))
    }

    @Test func privacyFloorIsThree() throws {
        let (text, folder) = TestPipeline.minimal("privacy:\n  k: 2")
        let e = try #require(error(text, folder: folder))
        #expect(e.key == "privacy.k")
        #expect(e.message.contains("from 3"))
    }

    @Test func unknownFieldAndMissingRequiredField() throws {
        let (text, folder) = TestPipeline.minimal()
        let unknown = try #require(error(try TestPipeline(text: text).renaming("sources[actions].columns.action_type", to: "action_typ").text,
                                         folder: folder))
        #expect(unknown.key == "sources[0].columns.action_typ")
        #expect(unknown.message.contains("did you mean 'action_type'?"))
    }

    @Test func badValues() throws {
        let (text, folder) = TestPipeline.minimal("periods:\n  scheme: programme_year")
        #expect(error(text, folder: folder)?.message.contains("start_month") == true)
        let (t2, f2) = TestPipeline.minimal("quality:\n  max_reject_rate: beaucoup")
        #expect(error(t2, folder: f2)?.key == "quality.max_reject_rate")
        let (t3, f3) = TestPipeline.minimal("", source: "  - name: x\n    kind: actions\n    path: a.csv\n    csv:\n      delimiter: '#'\n    columns: {}")
        #expect(error(t3, folder: f3)?.key == "sources[0].csv.delimiter")
    }

    /// `hiring.data_end` is a yyyy-mm-dd day; `questionnaire.alpha_threshold` a number from 0 to 1.
    @Test func dataEndAndAlphaThreshold() throws {
        let (text, folder) = TestPipeline.minimal("hiring:\n  data_end: 2025-08-31")
        let config = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: folder)
        #expect(config.hiring.dataEnd == CalendarDate(year: 2025, month: 8, day: 31))
        let (t2, f2) = TestPipeline.minimal("hiring:\n  data_end: 31/08/2025")
        let e2 = error(t2, folder: f2)
        #expect(e2?.key == "hiring.data_end" && e2?.message.contains("yyyy-mm-dd") == true && e2?.line == 8)
        let (t3, f3) = TestPipeline.minimal("questionnaire:\n  alpha_threshold: 1.5\n  items: {a: {label: A, dimension: d}}")
        #expect(error(t3, folder: f3)?.key == "questionnaire.alpha_threshold")
        let (t4, f4) = TestPipeline.minimal("questionnaire:\n  alpha_threshold: 0.7\n  items: {a: {label: A, dimension: d}}")
        #expect(try PipelineLoader.parse(text: t4, file: "p.yml", baseDirectory: f4).questionnaire.alphaThreshold == 0.7)
    }

    @Test func aliasClashIsReported() throws {
        let (text, folder) = TestPipeline.minimal()
        let clash = try TestPipeline(text: text).appending("villeurbanne: [LYON]", to: "vocabularies.territory").text
        let e = try #require(error(clash, folder: folder))
        #expect(e.message.contains("already stands for 'lyon'"))
    }

    @Test func yamlSyntaxErrorHasALine() throws {
        let e = try #require(error("sources:\n  - name: [unclosed\n", folder: "."))
        #expect(e.line >= 2)
        #expect(e.message.hasPrefix("YAML syntax"))
    }

    @Test func pathsAreFoldedAndShownRelative() {
        #expect(PipelineLoader.resolve("../inputs/a.csv", base: "pipelines") == "inputs/a.csv")
        #expect(PipelineLoader.resolve("x.csv", base: "/srv/p") == "/srv/p/x.csv")
        #expect(PipelineLoader.relative("inputs/a.csv", from: "pipelines") == "../inputs/a.csv")
        #expect(PipelineLoader.relative("/srv/in/a.csv", from: "/srv/p") == "../in/a.csv")
        #expect(PipelineLoader.relative("pipelines/a.csv", from: "pipelines") == "a.csv")
    }
}
