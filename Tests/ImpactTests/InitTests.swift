import Foundation
import Testing
import TestSupport
@testable import Drafting
@testable import Pipeline
@testable import PipelineFile
import Records

/// `impact init`: a pipeline file drafted from a folder of exports.
@Suite("Init", .serialized)
struct InitTests {
    /// The sample's exports copied to a scratch folder, and the drafted file's path beside them.
    static func sampleFolder() throws -> (folder: String, pipeline: String) {
        let scratch = Paths.scratch("init")
        try FileManager.default.copyItem(atPath: "\(Paths.root)/inputs", toPath: "\(scratch)/inputs")
        return ("\(scratch)/inputs", "\(scratch)/pipeline.yml")
    }

    /// The decisions the draft leaves to a human, as the README's walk-through makes them for the
    /// sample: (1) name the items and group them into dimensions, (2) set the targets, (3) list the
    /// themes. The draft's proposals are kept as they are (territories grouped, Grenoble left out,
    /// reverse-coded items, the questionnaires' stakeholder types from their file names).
    static func applySampleEdits(_ draft: String) throws -> String {
        let items: [(drafted: String, sample: String, dimension: String)] = [
            ("industrie_offre_grande_diversite", "diversite_metiers", "attractivite"),
            ("industrie_offre_perspectives_evolution", "perspectives", "attractivite"),
            ("salaires_industrie_attractifs", "salaires", "attractivite"),
            ("sites_industriels_difficiles_acces", "acces_sites", "conditions"),
            ("horaires_industrie_compatibles_vie", "horaires", "conditions"),
            ("connais_metiers_industriels_territoire", "connaissance_metiers", "connaissance"),
            ("sens_capable_orienter_candidat", "orienter", "connaissance"),
            ("personnes_reconversion_motivees", "motivation", "regard_candidats"),
            ("competences_personnes_reconversion_trans", "competences", "regard_candidats"),
            ("mobilite_candidats_frein_recrutement", "mobilite_frein", "freins"),
            ("maitrise_francais_frein_recrutement", "langue_frein", "freins"),
            ("sais_prescripteurs_adresser_recruter", "prescripteurs_contact", "reseau"),
        ]
        var lines = draft.components(separatedBy: "\n")
        for (drafted, sample, dimension) in items {
            #expect(lines.contains { $0.hasPrefix("    \(drafted): {") }, "the draft has no item \(drafted)")
            lines = lines.map { line in
                var line = line
                if line.hasPrefix("    \(drafted): {") { line = line.replacing("dimension: general", with: "dimension: \(dimension)") }
                return line.replacing(" \(drafted):", with: " \(sample):")
            }
        }
        let sample = try String(contentsOfFile: EndToEndTests.pipeline, encoding: .utf8)
        let targets = try #require(sample.range(of: "targets:")), themes = try #require(sample.range(of: "themes:")),
            questionnaire = try #require(sample.range(of: "questionnaire:"))
        let settings = String(sample[targets.lowerBound..<themes.lowerBound]) + String(sample[themes.lowerBound..<questionnaire.lowerBound])
        let edited = lines.joined(separator: "\n")
        let at = try #require(edited.range(of: "\nquestionnaire:\n"))
        return edited.replacingCharacters(in: at, with: "\n" + settings + "questionnaire:\n")
    }

    @Test func sampleDraftRunsToTheCommittedIndicatorsAfterThreeEdits() throws {
        let (folder, pipeline) = try Self.sampleFolder()
        let draft = try PipelineDraft.make(folder: folder, pipelinePath: pipeline)
        try draft.write(to: pipeline)
        // As drafted, it validates and reads every source as the sample's pipeline does.
        let drafted = try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(write: false))
        let sample = try PipelineRun.execute(pipelinePath: EndToEndTests.pipeline, options: RunOptions(write: false))
        #expect(drafted.summary.sources.map(\.name) == sample.summary.sources.map(\.name))
        #expect(drafted.summary.sources.map(\.tally) == sample.summary.sources.map(\.tally))
        #expect(draft.todos <= 12, "\(draft.todos) TODO lines")
        let validate = try runImpact(["validate", pipeline])
        #expect(validate.out.hasSuffix("note: \(draft.todos) lines of \(pipeline) still hold a TODO (the first: line 5)\n"), "\(validate.out)")
        #expect(draft.text.contains("# grenoble:"), "Grenoble is proposed commented out")
        #expect(draft.text.contains("start_month: 9"))

        let edited = "\(folder)/../edited.yml"
        try Self.applySampleEdits(draft.text).write(toFile: edited, atomically: true, encoding: .utf8)
        let out = Paths.scratch("init-run")
        _ = try PipelineRun.execute(pipelinePath: edited, options: RunOptions(outputFolder: out))
        for name in ["indicators.csv", "rejects.csv"] {
            let fresh = try String(contentsOfFile: "\(out)/\(name)", encoding: .utf8)
            let committed = try String(contentsOfFile: "\(EndToEndTests.committed)/\(name)", encoding: .utf8)
            #expect(fresh == committed, "\(name) differs from the committed sample's")
        }
    }

    /// Attack the file written: no e-mail, phone or name read in the exports appears in the draft.
    @Test func draftHoldsNoPersonalData() throws {
        let (folder, pipeline) = try Self.sampleFolder()
        // A person's name, e-mail and phone typed into label columns.
        var sheet = try String(contentsOfFile: "\(folder)/emargements_declic_2024-2025.csv", encoding: .utf8)
        sheet += "2025-02-01 10:00:00,STE-2410,Zorglub,Marcelline,marcelline.zorglub@exemple.fr,06 11 22 33 44,Forges du Gier,Marcelline Zorglub\n"
        sheet += "2025-02-01 10:00:00,STE-2410,Zorglub,Marcelline,marcelline.zorglub@exemple.fr,06 11 22 33 44,Forges du Gier,marcelline.zorglub@exemple.fr\n"
        sheet += "2025-02-01 10:00:00,STE-2410,Zorglub,Marcelline,marcelline.zorglub@exemple.fr,06 11 22 33 44,Forges du Gier,06 11 22 33 44\n"
        try sheet.write(toFile: "\(folder)/emargements_declic_2024-2025.csv", atomically: true, encoding: .utf8)
        let draft = try PipelineDraft.make(folder: folder, pipelinePath: pipeline)
        let folded = Fold.key(draft.text)
        #expect(draft.text.range(of: "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}", options: .regularExpression) == nil,
                "an e-mail address in the draft")
        #expect(!folded.contains("zorglub") && !folded.contains("marcelline"))
        #expect(!draft.text.contains("06 11 22 33 44") && !draft.text.contains("06 80 11 34 82"))
        // Every name, e-mail and phone of the exports' person columns.
        for row in try records("\(folder)/emargements_declic_2024-2025.csv").dropFirst() where row.count == 8 {
            for value in [row[2], row[3], row[4], row[5]] where value.count >= 4 && !["Martin", "Laurent"].contains(value) {
                #expect(!draft.text.contains(value), "'\(value)' from the exports is in the draft")
            }
        }
        #expect(draft.text.contains("values that look like an e-mail address") || draft.text.contains("value that looks like an e-mail address"))
    }

    @Test func neverOverwritesAFile() throws {
        let (folder, pipeline) = try Self.sampleFolder()
        try "mine\n".write(toFile: pipeline, atomically: true, encoding: .utf8)
        let draft = try PipelineDraft.make(folder: folder, pipelinePath: pipeline)
        #expect(throws: DraftError.self) { try draft.write(to: pipeline) }
        #expect(try String(contentsOfFile: pipeline, encoding: .utf8) == "mine\n")
        let cli = try runImpact(["init", folder, "-o", pipeline])
        #expect(cli.code == 2)
        #expect(cli.err.contains("already exists") && cli.err.split(separator: "\n").count == 1)
        #expect(try String(contentsOfFile: pipeline, encoding: .utf8) == "mine\n")
    }
}

/// Exports unlike the sample: English headers, other delimiters and encodings, a workbook, a CRM
/// export with lines above its header, a retrospective survey with English answers.
@Suite("Init on other exports", .serialized)
struct InitOtherExportsTests {
    static func write(_ text: String, _ path: String, encoding: String.Encoding = .utf8) throws {
        let data = try #require(text.data(using: encoding))
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }

    /// A folder of five exports that share nothing with the sample's layout.
    static func folder() throws -> String {
        let folder = "\(Paths.scratch("init-other"))/exports"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let areas = ["Lille", "Roubaix", "Lille Métropole", "Tourcoing", "Roubaix", "Lille", "Tourcoing", "Lille", "Roubaix", "Lille"]
        let formats = ["Factory tour", "Job shadowing", "Ambassadors", "Job dating", "Factory tour", "Job dating", "Job shadowing",
                       "Factory tour", "Job dating", "Ambassadors"]
        var sessions = "Session ID|Session date|Area|Format|Host|Hours|Number of employers|Number of advisers\r\n"
        for i in 0..<10 {
            sessions += "S-\(100 + i)|\(10 + i)/03/2025|\(areas[i])|\(formats[i])|Entreprises & Cités|\(i % 2 == 0 ? "3,5" : "7")|\(i == 3 ? "12" : "")|\(i == 3 ? "4" : "")\r\n"
        }
        try write(sessions, "\(folder)/sessions.txt", encoding: .windowsCP1252)
        let roles = ["Employer", "Adviser", "Job coach", "Candidate", "Adviser", "Employer"]
        var attendance = "Sign-in sheets, spring 2025\nSession;Email address;Role;Organization;First name;Last name\n"
        for i in 0..<60 {
            attendance += "s-\(100 + i % 10);person\(i)@example.org;\(roles[i % roles.count]);Org \(i % 7);Alex;Dupont\(i)\n"
        }
        try write(attendance, "\(folder)/attendance.csv")
        let answers = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree", "Don't know"]
        var survey = "Respondent ID\tSubmitted at\tArea\tRole\tBefore - I know the industrial jobs of my area\tNow - I know the industrial jobs of my area"
            + "\tBefore - Industrial sites are hard to reach\tNow - Industrial sites are hard to reach\tComments\n"
        for i in 0..<24 {
            survey += "R\(i)\t\(1 + i % 28)/05/2025 09:30\t\(areas[i % areas.count])\t\(i % 2 == 0 ? "Employer" : "Adviser")"
                + "\t\(answers[i % 3])\t\(answers[2 + i % 3])\t\(answers[(i + 1) % 6])\t\(answers[i % 5])\t\(i % 4 == 0 ? "Great visit, we met motivated people" : "")\n"
        }
        try write(survey, "\(folder)/survey_followup.tsv")
        var hires = "CRM export\nGenerated on 01/07/2025\nCandidate ID,Step,Date,Area,Employer,Referred by,Referrer type,Contract,Linked session\n"
        let steps = ["Referral", "Interview", "Work trial", "Hire"]
        for c in 0..<6 {
            for (s, step) in steps.enumerated() where s <= 1 + c % 3 {
                hires += "C\(c),\(step),2025-0\(4 + s)-1\(c),\(areas[c]),Acme Metal \(c % 2),Employment service Lille,Employment service,"
                    + "\(step == "Hire" ? (c % 2 == 0 ? "Permanent" : "Apprenticeship") : ""),\(s == 0 ? "S-10\(c)" : "")\n"
            }
        }
        try write(hires, "\(folder)/hires.csv")
        try FileManager.default.copyItem(atPath: "\(Paths.root)/Tests/ImpactTests/Fixtures/questionnaire_conseillers.xlsx",
                                          toPath: "\(folder)/questionnaire_conseillers.xlsx")
        // KoboToolbox submissions as ODK Briefcase keeps them: one sub-folder per instance.
        for i in 0..<12 {
            let instance = "\(folder)/kobo_candidats/uuid-\(i)"
            try FileManager.default.createDirectory(atPath: instance, withIntermediateDirectories: true)
            try write("""
                <?xml version="1.0"?>
                <data id="suivi_candidats" version="3"><identite><code>K\(i % 6)</code><territoire>\(areas[i % 4])</territoire>\
                <date>2025-0\(3 + i / 6)-1\(i % 6)</date><vague>\(i < 6 ? "Avant" : "Après")</vague></identite>\
                <reponses><q1>\(1 + i % 5)</q1><q2>\(5 - i % 4)</q2></reponses><meta><instanceID>uuid:\(i)</instanceID></meta></data>

                """, "\(instance)/submission.xml")
        }
        try write("# notes\n", "\(folder)/README.md")
        return folder
    }

    @Test func draftValidatesAndReadsEverySource() throws {
        let folder = try Self.folder()
        let pipeline = "\(folder)/../pipeline.yml"
        let draft = try PipelineDraft.make(folder: folder, pipelinePath: pipeline)
        try draft.write(to: pipeline)
        let config = try PipelineLoader.load(path: pipeline)
        let kinds = Dictionary(uniqueKeysWithValues: config.sources.map { ($0.name, $0.kind) })
        #expect(kinds == ["sessions": .actions, "attendance": .attendance, "survey-followup": .responses, "hires": .pathway,
                          "questionnaire-conseillers": .responses, "kobo-candidats": .responses])
        let kobo = try #require(config.sources.first { $0.name == "kobo-candidats" })
        #expect(kobo.format == .odk && kobo.files.count == 12 && kobo.fixedStakeholderType == "candidat" && kobo.wave == .column)
        #expect(kobo.columns["respondent"] == .name("identite/code") && kobo.items.count == 2)
        let result = try PipelineRun.execute(pipelinePath: pipeline, options: RunOptions(write: false))
        for source in result.summary.sources {
            #expect(source.unreadable.isEmpty, "\(source.name): \(source.unreadable)")
            #expect(source.tally.accepted * 10 >= source.tally.read * 9, "\(source.name): \(source.tally)")
        }
        let hires = try #require(config.sources.first { $0.name == "hires" })
        #expect(hires.columns["action_id"] == .name("Linked session"))
        #expect(hires.columns["referrer_type"] == .name("Referrer type"))
        let survey = try #require(config.sources.first { $0.name == "survey-followup" })
        #expect(survey.wave == .fixed(.retrospective) && survey.items.count == 2)
        #expect(config.questionnaire.items.contains { $0.reverse && $0.label == "Industrial sites are hard to reach" })
        let sessions = try #require(config.sources.first { $0.name == "sessions" })
        #expect(sessions.counts.keys.sorted() == ["industriel", "prescripteur"])
        #expect(config.territories.ids.sorted() == ["lille", "lyon", "roubaix", "saint_etienne", "tourcoing"])
        #expect(config.actionTypes.resolve("Job dating") == "job_dating", "an action type not built in is proposed as its own")
        #expect(config.eventKinds.resolve("Work trial") == "immersion")
        #expect(draft.report.contains { $0.hasPrefix("exports/README.md: not an export") })
    }
}
