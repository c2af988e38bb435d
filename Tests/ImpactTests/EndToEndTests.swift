import Foundation
import Testing
import TestSupport
@testable import Pipeline
@testable import Report
import Records

/// The bundled sample, run as a user would, against the committed outputs.
@Suite("End to end", .serialized)
struct EndToEndTests {
    static let pipeline = "\(Paths.root)/pipelines/declic-industrie.yml"
    static let committed = "\(Paths.root)/outputs/declic-industrie"

    static func contents(_ folder: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
            var text = try String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)
            if name == "manifest.json" {
                // The only bytes allowed to differ between runs: when it ran.
                text = text.split(separator: "\n").filter { !$0.contains("\"started_at\"") && !$0.contains("\"finished_at\"") }
                    .joined(separator: "\n")
            }
            files[name] = text
        }
        return files
    }

    /// A fresh run equals the committed outputs/ (regenerate with the README's first command).
    @Test func freshRunMatchesCommittedOutputs() throws {
        let folder = Paths.scratch("e2e")
        let result = try PipelineRun.execute(pipelinePath: Self.pipeline, options: RunOptions(outputFolder: folder))
        #expect(result.exitCode == 0)
        let fresh = try Self.contents(folder)
        let committed = try Self.contents(Self.committed)
        #expect(Set(fresh.keys) == Set(committed.keys))
        for (name, text) in fresh {
            #expect(text == committed[name], "outputs/declic-industrie/\(name) differs from a fresh run: rerun `swift run impact run pipelines/declic-industrie.yml` and commit")
        }
        #expect(fresh.keys.contains("report.md") && fresh.keys.contains("indicators.csv") && fresh.keys.contains("manifest.json"))
    }

    @Test func twoRunsAreByteIdentical() throws {
        let a = Paths.scratch("a"), b = Paths.scratch("b")
        _ = try PipelineRun.execute(pipelinePath: Self.pipeline, options: RunOptions(outputFolder: a))
        _ = try PipelineRun.execute(pipelinePath: Self.pipeline, options: RunOptions(outputFolder: b))
        for name in ["indicators.csv", "indicators-excel.csv", "rejects.csv", "report.md", "report.html", "reach-2024-2025.svg"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(name)"))
            let y = try Data(contentsOf: URL(fileURLWithPath: "\(b)/\(name)"))
            #expect(x == y, "\(name)")
        }
    }

    /// The seed's figures, the bad rows each with their own reason, and the counts reconciling.
    @Test func sampleFiguresRejectsAndReconciliation() throws {
        let result = try PipelineRun.execute(pipelinePath: Self.pipeline, options: RunOptions(write: false))
        let s = result.summary
        #expect(s.row(.actions, "2024-2025", "lyon")?.value == 15)
        #expect(s.row(.actions, "2024-2025", "saint_etienne")?.value == 24)
        #expect(s.row(.participants, "2024-2025", "lyon", "industriel")?.value == 26)
        #expect(s.row(.participants, "2024-2025", "lyon", "prescripteur")?.value == 107)
        #expect(s.row(.participants, "2024-2025", "saint_etienne", "industriel")?.value == 50)
        #expect(s.row(.participants, "2024-2025", "saint_etienne", "prescripteur")?.value == 107)
        let reasons = Set(s.rejectSample.map(\.reason.rawValue))
        for reason in ["unknown_territory", "date_invalid", "date_ambiguous", "number_format", "unknown_action",
                       "unknown_stakeholder_type", "missing_value"] {
            #expect(reasons.contains(reason), "\(reason)")
        }
        #expect(s.rejectSample.first { $0.reason == .dateInvalid }?.value == "31/02/2025")
        for source in s.sources {
            #expect(source.tally.reconciles)
            #expect(source.tally.duplicates >= 1, "each sample export has a duplicate")
        }
        #expect(s.sources.first { $0.name == "actions" }?.tally.read == 44)
    }

    /// A person listed twice at an action is a duplicate; listed again as another type, a conflict.
    /// Conflicts are known once every line is in (lines are resolved person by person), so they
    /// close rejects.csv, in reading order, after the rejects found while reading.
    @Test func attendanceDuplicatesAndConflictsAreCountedAndReported() throws {
        let w = try RefreshTests.Workspace("conflicts")
        try w.export("a", 0..<10)
        let first = Paths.scratch("c0")
        let before = try PipelineRun.execute(pipelinePath: w.pipeline, options: RunOptions(outputFolder: first))
        func retyped(_ line: String, _ type: String) -> String {
            line.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") + "," + type
        }
        let extra = [w.lines[0],                                          // line 2: duplicate
                     retyped(w.lines[0], "Conseiller France Travail"),   // line 3: conflict
                     w.lines[1].replacing("LYO-2507", with: "NOPE-1"),    // line 4: unknown action
                     retyped(w.lines[2], "Entreprise industrielle")]     // line 5: conflict
        try ([w.header] + extra).joined(separator: "\n").appending("\n").write(toFile: "\(w.inputs)/emargements_b.csv", atomically: true, encoding: .utf8)
        let out = Paths.scratch("c1")
        let after = try PipelineRun.execute(pipelinePath: w.pipeline, options: RunOptions(outputFolder: out))
        func tally(_ r: RunResult) throws -> SourceTally { try #require(r.summary.sources.first { $0.name == "emargements" }).tally }
        let t0 = try tally(before), t1 = try tally(after)
        #expect(t1.read == t0.read + 4 && t1.accepted == t0.accepted && t1.duplicates == t0.duplicates + 1 && t1.rejected == t0.rejected + 3)
        #expect(t1.reconciles)
        // Same figures: nothing new was accepted.
        #expect(try String(contentsOfFile: "\(out)/indicators.csv", encoding: .utf8)
            == (try String(contentsOfFile: "\(first)/indicators.csv", encoding: .utf8)))
        let rejects = try String(contentsOfFile: "\(out)/rejects.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        let tail = rejects.suffix(2)
        #expect(tail.first?.hasPrefix("emargements,line 3,stakeholder_type,prescripteur,duplicate_conflict,") == true)
        #expect(tail.first?.contains("already listed at action 'STE-2410' as 'industriel'") == true)
        #expect(tail.last?.hasPrefix("emargements,line 5,stakeholder_type,industriel,duplicate_conflict,") == true)
        #expect(rejects.contains { $0.hasPrefix("emargements,line 4,action_id,NOPE-1,unknown_action,") })
        #expect(rejects.count == (try String(contentsOfFile: "\(first)/rejects.csv", encoding: .utf8)).split(separator: "\n").count + 3)
    }

    /// `=HYPERLINK(...)` in an input never reaches a CSV output unescaped; no e-mail, phone or name does at all.
    @Test func outputsAreFormulaSafeAndCarryNoPersonalData() throws {
        let folder = Paths.scratch("safe")
        _ = try PipelineRun.execute(pipelinePath: Self.pipeline, options: RunOptions(outputFolder: folder))
        let files = try Self.contents(folder)
        let rejects = try #require(files["rejects.csv"])
        #expect(rejects.contains("'=HYPERLINK("))
        for (name, text) in files where name.hasSuffix(".csv") {
            for line in text.split(separator: "\n") {
                for field in line.split(separator: name.contains("excel") ? ";" : ",") {
                    let f = field.hasPrefix("\"") ? field.dropFirst() : field
                    #expect(!(f.hasPrefix("=") || f.hasPrefix("+") || f.hasPrefix("@")), "\(name): \(line)")
                }
            }
        }
        let attendance = try records("\(Paths.root)/inputs/emargements_declic_2024-2025.csv")
        // Last names, first names, e-mails and phones of the attendance sheets (short ones would match ordinary words).
        let personal = Set(attendance.dropFirst().flatMap { [$0[2], $0[3], $0[4], $0[5]] }.filter { $0.count > 4 })
        for (name, text) in files {
            for value in personal where text.localizedCaseInsensitiveContains(value) {
                Issue.record("\(name) contains '\(value)' from an input name, e-mail or phone field")
            }
        }
    }

    /// `impact` exit codes: a typo in the pipeline file is exit 2 with one line naming it, nothing written.
    @Test func pipelineFileErrorExitsTwoAndWritesNothing() throws {
        let folder = Paths.scratch("typo")
        let sample = try TestPipeline.sample().inputs("\(Paths.root)/inputs").output("\(folder)/out")
        let typo = try sample.renaming("sources[actions].columns", to: "colums")
        try typo.write(to: "\(folder)/p.yml")
        let run = try runImpact(["run", "\(folder)/p.yml"])
        #expect(run.code == 2)
        let line = try #require(typo.line(of: "sources[actions].colums")) + 1
        #expect(run.err.hasPrefix("error: \(folder)/p.yml:\(line): sources[0].colums: unknown key; expected one of: name, kind,"))
        #expect(run.err.hasSuffix("(did you mean 'columns'?)\n"))
        #expect(run.err.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/out"))

        try sample.setting("sources[actions].path", "\(Paths.root)/inputs/absent.csv").write(to: "\(folder)/p.yml")
        let run2 = try runImpact(["validate", "\(folder)/p.yml"])
        #expect(run2.code == 2)
        #expect(run2.err.contains("sources[0].path: no such file"))
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/out"))
    }

    /// Above the reject-rate threshold, or with an unreadable source: outputs written, exit 1.
    @Test func dataProblemsExitOne() throws {
        let folder = Paths.scratch("rate")
        let sample = try TestPipeline.sample().inputs("\(Paths.root)/inputs").output("\(folder)/out")
        try sample.setting("quality.max_reject_rate", "0.02").write(to: "\(folder)/p.yml")
        let run = try runImpact(["run", "--quiet", "\(folder)/p.yml"])
        #expect(run.code == 1)
        #expect(FileManager.default.fileExists(atPath: "\(folder)/out/report.md"))
        let report = try String(contentsOfFile: "\(folder)/out/report.md", encoding: .utf8)
        #expect(report.contains("dépasse le seuil fixé"))

        // A source whose header lacks a mapped column cannot be read: the others still are.
        try sample.setting("quality.max_reject_rate", "0.5").setting("sources[emargements].columns.stakeholder_type", "Fonction")
            .write(to: "\(folder)/p.yml")
        let run2 = try runImpact(["run", "\(folder)/p.yml"])
        #expect(run2.code == 1)
        #expect(run2.out.contains("UNREADABLE"))
        #expect(try String(contentsOfFile: "\(folder)/out/rejects.csv", encoding: .utf8).contains("source_unreadable"))
    }

    @Test(.needsCorpora) func previewShowsDialectAndJSON() throws {
        let text = try runImpact(["preview", "inputs/actions_declic_2024-2025.csv"])
        #expect(text.code == 0)
        #expect(text.out.contains("encoding: windows-1252 (not UTF-8)"))
        #expect(text.out.contains("delimiter: ';' (detected)"))
        let json = try runImpact(["preview", "--json", Paths.corpus("csv-spectrum/csvs/simple.csv")])
        #expect(json.out == "[\n  [\"a\",\"b\",\"c\"],\n  [\"1\",\"2\",\"3\"]\n]\n")
    }

    @Test func englishReportHasNoFrenchLabelLeft() throws {
        let folder = Paths.scratch("en")
        _ = try PipelineRun.execute(pipelinePath: Self.pipeline, options: RunOptions(outputFolder: folder, language: "en"))
        let report = try String(contentsOfFile: "\(folder)/report.md", encoding: .utf8)
        #expect(report.contains("## Key figures"))
        // Labels the pipeline file gives in English (`label_en`) replace the French ones.
        #expect(report.contains("Attractiveness of industrial jobs") && !report.contains("Attractivité des métiers industriels"))
        #expect(report.contains("Industrial sites are hard to reach ⟲"))
        #expect(report.contains("Access to sites, mobility") && !report.contains("Accès aux sites"))
        let chart = try String(contentsOfFile: "\(folder)/shift-prescripteur-2024-2025.svg", encoding: .utf8)
        #expect(chart.contains("Working conditions"))
        for key in LabelKey.allCases {
            let french = Labels(language: "fr", territories: .init(name: "t"), stakeholders: .init(name: "s"), actionTypes: .init(name: "a"))
            let english = Labels(language: "en", territories: .init(name: "t"), stakeholders: .init(name: "s"), actionTypes: .init(name: "a"))
            #expect(LabelTables.french[key] != nil && LabelTables.english[key] != nil, "\(key) lacks a translation")
            // A French sentence longer than a word must not appear in the English report.
            let f = french[key]
            if f.count > 12, f != english[key], !f.contains("{") { #expect(!report.contains(f), "\(key)") }
        }
    }
}
