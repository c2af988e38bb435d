import Foundation
import Testing
import TestSupport
@testable import Ingest
@testable import Pipeline
@testable import PipelineFile
@testable import Records

/// What a user reads when something is wrong: where, what, and the likeliest fix.
@Suite("Messages", .serialized)
struct MessageTests {
    /// The sample pipeline with its paths made absolute, so that a copy runs from anywhere.
    static func samplePipeline(in folder: String) throws -> TestPipeline {
        try TestPipeline.sample().inputs("\(Paths.root)/inputs").output("\(folder)/out")
    }

    /// The 1-based line of the key at `path`.
    static func line(of path: String, in pipeline: TestPipeline) -> Int { (pipeline.line(of: path) ?? -1) + 1 }

    func loadError(_ text: String, folder: String) -> PipelineFileError? {
        do {
            _ = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: folder)
            return nil
        } catch {
            return error as? PipelineFileError
        }
    }

    @Test func missingMappedColumnNamesItsLineAndTheNearestHeader() throws {
        let folder = Paths.scratch("msg-column")
        let pipeline = try Self.samplePipeline(in: folder).setting("sources[emargements].columns.person", "Email")
            .setting("sources[emargements].columns.stakeholder_type", "Profile")
        try pipeline.write(to: "\(folder)/p.yml")
        let result = try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(write: false))
        let source = try #require(result.summary.sources.first { $0.name == "emargements" })
        let message = try #require(source.unreadable.first)
        let person = Self.line(of: "sources[emargements].columns.person", in: pipeline)
        let profile = Self.line(of: "sources[emargements].columns.stakeholder_type", in: pipeline)
        #expect(message.contains("p.yml:\(person): columns.person: no column 'Email' (did you mean 'E-mail'?)"), "\(message)")
        #expect(message.contains("; p.yml:\(profile): columns.stakeholder_type: no column 'Profile' (did you mean 'Profil'?)"))
        #expect(!message.contains(folder), "no machine path: the message reaches rejects.csv")
        #expect(message.contains("the header (line 1) holds 'Horodateur', 'Code action'"))
        #expect(!message.contains("\n"))
        #expect(result.exitCode == 1)
    }

    /// An unreadable source's message on the console renders the masks (no private-use tokens),
    /// never shows a contact planted in the header, and never offers a masked cell as the fix.
    @Test func consoleRendersMasksInUnreadableMessages() throws {
        let folder = Paths.scratch("msg-console-mask")
        let csv = try String(contentsOfFile: "\(Paths.root)/inputs/emargements_declic_2024-2025.csv", encoding: .utf8)
            .replacing("Prénom,E-mail,", with: "Prénom,jean.dupont@example.org,")
        try csv.write(toFile: "\(folder)/emargements.csv", atomically: true, encoding: .utf8)
        try Self.samplePipeline(in: folder).setting("sources[emargements].path", "\(folder)/emargements.csv").write(to: "\(folder)/p.yml")
        let result = try runImpact(["validate", "\(folder)/p.yml"])
        let line = try #require(result.out.split(separator: "\n").first { $0.contains("UNREADABLE") })
        #expect(line.contains("holds 'Horodateur', 'Code action', 'Nom', 'Prénom', '[courriel]'"), "\(line)")
        #expect(!line.contains("\u{E000}") && !line.contains("jean.dupont"), "\(line)")
        #expect(!line.contains("did you mean '[courriel]'"), "\(line)")
        #expect(result.code == 1)
    }

    @Test func valueTyposGetASuggestion() throws {
        let (t1, f1) = TestPipeline.minimal("periods:\n  scheme: programe_year\n  start_month: 9")
        #expect(loadError(t1, folder: f1)?.description == "p.yml:8: periods.scheme: expected one of: calendar, programme_year; found 'programe_year' (did you mean 'programme_year'?)")
        let (t2, f2) = TestPipeline.minimal()
        #expect(loadError(try TestPipeline(text: t2).setting("sources[actions].kind", "action").text, folder: f2)?.message.hasSuffix("(did you mean 'actions'?)") == true)
        let responses = """
          - name: q
            kind: responses
            path: a.csv
            stakeholder_type: prescriteur
            wave: pre
            columns: {respondent: id, territory: t, date: date}
            items: {q1: Q1}
        """
        let (t3, f3) = TestPipeline.minimal("questionnaire:\n  items:\n    q1: {label: Q, dimension: d}", source: responses)
        #expect(loadError(t3, folder: f3)?.message.hasSuffix("(did you mean 'prescripteur'?)") == true)
        let e4 = loadError(try TestPipeline(text: t3).setting("sources[q].items", "{q2: Q1}").setting("sources[q].stakeholder_type", "prescripteur").text,
                           folder: f3)
        #expect(e4?.message.hasSuffix("(did you mean 'q1'?)") == true)
    }

    @Test func unknownFieldSaysAnAttendanceSource() throws {
        let (text, folder) = TestPipeline.minimal("", source: "  - name: e\n    kind: attendance\n    path: a.csv\n    columns: {action_id: id, person: p, stakeholder_type: t, persn: x}")
        #expect(loadError(text, folder: folder)?.message.hasPrefix("unknown field for an attendance source; expected one of:") == true)
    }

    @Test func tabsAreNamedAsTabs() throws {
        let (text, folder) = TestPipeline.minimal()
        let tabbed = text.replacing("  folder: out", with: "\tfolder: out")
        let e = try #require(loadError(tabbed, folder: folder))
        #expect(e.line == 3, "\(e)")
        #expect(e.message.hasPrefix("a tab at column 1: YAML indents with spaces only; replace the tab with spaces"))
    }

    @Test func everyMissingInputAtOnceWithTheNearestFile() throws {
        let folder = Paths.scratch("msg-inputs")
        let pipeline = try Self.samplePipeline(in: folder).setting("sources[actions].path", "\(Paths.root)/inputs/actions_declic_2025-2026.csv")
            .setting("sources[parcours].path", "\(Paths.root)/inputs/parcours_2025.tsv")
            .setting("sources[presences-saint-etienne].path", "\(Paths.root)/entrees/presences.xml")
        try pipeline.write(to: "\(folder)/p.yml")
        let cli = try runImpact(["validate", "\(folder)/p.yml"])
        #expect(cli.code == 2)
        let lines = cli.err.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(cli.err)")
        #expect(lines[0] == "error: \(folder)/p.yml:\(Self.line(of: "sources[actions].path", in: pipeline)): sources[0].path: no such file: "
                + "\(Paths.root)/inputs/actions_declic_2025-2026.csv (did you mean \(Paths.root)/inputs/actions_declic_2024-2025.csv?)")
        #expect(lines[1].contains("sources[2].path: no such file: \(Paths.root)/entrees/presences.xml (the folder \(Paths.root)/entrees does not exist; \(Paths.root) does)"))
        #expect(lines[2].hasSuffix("(did you mean \(Paths.root)/inputs/parcours_declic_2024-2025.tsv?)"))
    }

    /// The bounded edit distance agrees with the plain one wherever it answers (seeded words over a
    /// small alphabet, so near and far pairs both occur), and answers exactly when within the bound.
    @Test func boundedDistanceAgreesWithThePlainOne() {
        var random = SeededGenerator(seed: 17)
        for _ in 0..<3_000 {
            let a = (0..<Int.random(in: 0...9, using: &random)).map { _ in "abc".randomElement(using: &random) ?? "a" }
            let b = (0..<Int.random(in: 0...9, using: &random)).map { _ in "abc".randomElement(using: &random) ?? "a" }
            let limit = Int.random(in: 0...5, using: &random)
            let plain = Nearest.distance(a, b)
            #expect(Nearest.distance(a, b, atMost: limit) == (plain <= limit ? plain : nil), "\(a) \(b) \(limit)")
        }
    }

    /// A missing input beside 20,000 files (found by fuzzing: a folder of 90,000 names and a long typo
    /// took 12 s) still gets its nearest file, and a long name that is near nothing gets none.
    @Test func nearestInputAmongManyFiles() throws {
        let folder = Paths.scratch("msg-many")
        for i in 0..<20_000 { _ = FileManager.default.createFile(atPath: "\(folder)/export-\(i).csv", contents: nil) }
        _ = FileManager.default.createFile(atPath: "\(folder)/actions_declic_2024-2025.csv", contents: nil)
        #expect(MissingInput.nearest(to: "\(folder)/actions_declic_2025-2026.csv") == " (did you mean \(folder)/actions_declic_2024-2025.csv?)")
        #expect(MissingInput.nearest(to: "\(folder)/" + String(repeating: "z", count: 5_000) + ".csv") == "")
        try FileManager.default.removeItem(atPath: folder)
    }

    @Test func commandTyposAreSuggested() throws {
        let cli = try runImpact(["runn", "pipelines/declic-industrie.yml"])
        #expect(cli.code == 2)
        #expect(cli.err == "error: 'runn' is not an impact command; did you mean 'run'? (impact --help says what each does)\n")
        #expect(try runImpact(["valdate", "x.yml"]).err.contains("did you mean 'validate'?"))
    }

    /// A rejected action's attendance lines say the action was rejected, and why.
    @Test func attendanceOfARejectedActionSaysSo() throws {
        let folder = Paths.scratch("msg-rejected")
        _ = try PipelineRun.execute(pipelinePath: EndToEndTests.pipeline, options: RunOptions(outputFolder: folder))
        let rejects = try String(contentsOfFile: "\(folder)/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("emargements,line 107,action_id,GRE-2501,action_rejected,\"action 'GRE-2501' was rejected: actions line 16, territory: unknown_territory; fix that record and its attendance lines count\""))
        #expect(rejects.contains("emargements,line 35,action_id,LYO-2577,unknown_action,no action 'LYO-2577'"))
    }

    /// The console ends with each source's top reject reasons and where the details are.
    @Test func consoleEndsWithRejectReasons() throws {
        let folder = Paths.scratch("msg-console")
        let cli = try runImpact(["run", "pipelines/declic-industrie.yml", "--output", folder])
        let lines = cli.out.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("rejects by reason") })
        #expect(lines[start] == "rejects by reason (details in \(folder)/rejects.csv):")
        #expect(Array(lines[(start + 1)...]) == [
            "  actions: date_ambiguous 1, date_invalid 1, number_format 1 (+1 more reason)",
            "  emargements: unknown_stakeholder_type 2, action_rejected 1, missing_value 1 (+1 more reason)",
            "  questionnaire-conseillers: likert_value 1, unknown_wave 1",
            "  parcours: retention_too_early 1, unknown_contract_type 1, unknown_event_kind 1",
        ])
        let validate = try runImpact(["validate", "pipelines/declic-industrie.yml"])
        #expect(validate.out.contains("rejects by reason (impact run writes the details to rejects.csv):"))
    }

    /// On a terminal the reading is redrawn in place; piped or with --log-format json, nothing of it.
    @Test func progressOnATerminalOnly() throws {
        let folder = Paths.scratch("msg-progress")
        var sheet = "Code action,E-mail,Profil\n"
        for i in 0..<300_000 { sheet += "STE-24\(10 + i % 10),personne\(i % 40_000)@exemple.fr,\(i % 2 == 0 ? "Industriel" : "Mission Locale")\n" }
        try sheet.write(toFile: "\(folder)/emargements.csv", atomically: true, encoding: .utf8)
        let text = try XMLEquivalenceTests.pipeline(sources: XMLEquivalenceTests.actionsSource + """
          - name: emargements
            kind: attendance
            path: \(folder)/emargements.csv
            columns: {action_id: Code action, person: E-mail, stakeholder_type: Profil}

        """)
        try text.write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        // `script` (util-linux) gives the command a terminal; its transcript holds what the terminal showed.
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-qec", "\(Paths.executable) validate \(folder)/p.yml", "\(folder)/typescript"]
        script.standardOutput = FileHandle.nullDevice
        try script.run()
        script.waitUntilExit()
        let shown = try String(contentsOfFile: "\(folder)/typescript", encoding: .utf8)
        #expect(shown.contains("\r\u{1B}[2K… emargements: "), "no progress line on a terminal")
        #expect(shown.contains(" records/s"))
        #expect(shown.contains(" MB ("))
        let piped = try runImpact(["validate", "\(folder)/p.yml"])
        #expect(!piped.err.contains("\r") && !piped.err.contains("…"))
        let json = try runImpact(["run", "--log-format", "json", "\(folder)/p.yml", "--output", "\(folder)/out"])
        #expect(json.err.split(separator: "\n").allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })
    }

    @Test func progressLineReadsWell() {
        let s = ReadProgress.Snapshot(source: "emargements", totalBytes: 51_400_000, bytes: 12_300_000, records: 240_000, seconds: 2)
        #expect(TerminalProgress.line(s, width: 200) == "… emargements: 12.3 of 51.4 MB (23 %), 120,000 records/s, about 7 s left")
        #expect(TerminalProgress.line(s, width: 20).count == 19)
    }
}
