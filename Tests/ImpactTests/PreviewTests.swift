import Foundation
import Testing
import TestSupport
@testable import Drafting
@testable import Pipeline
@testable import PipelineFile

/// `impact preview` on CSV: the header past a preamble, record widths, what each column holds.
@Suite("Preview")
struct PreviewTests {
    /// A survey export with two lines of notes above its header and two ragged records.
    static let survey = """
        Enquête conseillers — export du 01/07/2025
        Filtre : toutes les réponses
        Identifiant;Horodateur;Territoire;Âge;Score;E-mail;Nom;Q1. Je connais les métiers;Vague
        C-01;01/09/2024 10:56;Lyon;34;12,5;a.martin@exemple.fr;Martin;Plutôt d'accord;Avant
        C-02;02/09/2024 11:00;Lyon;41;8,25;b.durand@exemple.fr;Durand;Tout à fait d'accord;Avant
        C-03;03/09/2024 09:10;Saint-Étienne;29;;c.petit@exemple.fr;Petit;Pas du tout d'accord;Après
        C-04;04/09/2024 08:00;Saint-Étienne;52;10,0;d.roux@exemple.fr;Roux;NSP;Après;en trop
        C-05;05/09/2024 14:20;Lyon;38;9,5;e.faure@exemple.fr;Faure;Plutôt pas d'accord
        C-06;06/09/2024 16:45;Lyon;45;11,75;f.blanc@exemple.fr;Blanc;Plutôt d'accord;Après

        """

    @Test func headerPastPreambleWidthsAndColumnTypes() throws {
        let path = temporaryFile(Array(Self.survey.utf8), name: "enquete.csv")
        let text = try Pipeline.Preview.text(path: path, rows: 2)
        #expect(text.contains("skipped above the header (a title or notes; the pipeline skips them too):\n  line 1: Enquête conseillers — export du 01/07/2025\n  line 2: Filtre : toutes les réponses"))
        #expect(text.contains("header (line 3): [Identifiant] [Horodateur] [Territoire]"))
        #expect(text.contains("records after the header: 6"))
        #expect(text.contains("fields per record: 9 in 4 records, 8 in 1 record, 10 in 1 record; the header has 9"))
        #expect(text.contains("  8 fields: line 8\n"))
        #expect(text.contains("  10 fields: line 7 (a delimiter inside an unquoted value?)"))
        #expect(text.contains("2. Horodateur — date dd/mm/yyyy hh:mm\n"))
        #expect(text.contains("3. Territoire — text: 'Lyon' ×4, 'Saint-Étienne' ×2\n"))
        #expect(text.contains("4. Âge — integer 29–52"))
        #expect(text.contains("5. Score — decimal with comma, 17 % empty"))
        #expect(text.contains("6. E-mail — e-mail addresses, 6 distinct\n"))
        #expect(text.contains("7. Nom — text, 6 distinct\n"), "names are never listed")
        #expect(text.contains("8. Q1. Je connais les métiers — Likert labels (agreement, 1–5) (5 distinct answers)"))
        #expect(text.contains("9. Vague — text, 17 % empty: 'Après' ×3, 'Avant' ×2"))
        #expect(text.contains("line 4: [C-01]") && text.contains("line 5: [C-02]") && !text.contains("line 6: [C-03]"))
    }

    /// `--suggest KIND`: a source entry that loads as it is once pasted under `sources:`.
    @Test func suggestPrintsAnEntryThatLoads() throws {
        let folder = Paths.scratch("suggest")
        let path = "\(folder)/emargements.csv"
        try FileManager.default.copyItem(atPath: "\(Paths.root)/inputs/emargements_declic_2024-2025.csv", toPath: path)
        let table = try #require(try ExportReader.csv(path: path))
        let entry = TableReport.suggestion(table, kind: .attendance, folder: folder)
        #expect(entry.contains("      action_id: Code action\n"), "no note without an actions source to compare with")
        #expect(entry.contains("      person: E-mail "))
        #expect(entry.contains("      stakeholder_type: Profil "))
        let pipeline = "outputs: {folder: out}\nvocabularies: {territory: {lyon: [Lyon]}}\n" + entry
        let config = try PipelineLoader.parse(text: pipeline, file: "p.yml", baseDirectory: folder)
        #expect(config.sources.first?.kind == .attendance)
        #expect(config.sources.first?.columns["organisation"] == .name("Structure"))
        let cli = try runImpact(["preview", "--suggest", "attendance", path])
        #expect(cli.code == 0 && cli.out.contains("suggested source entry, kind attendance") && cli.out.contains("  - name: emargements\n"))
    }

    /// One header rule for CSV and sheets: a workbook's title row is skipped and said.
    @Test func workbookPreviewSkipsTheTitleRow() throws {
        let text = try Pipeline.Preview.text(path: "\(Paths.root)/Tests/ImpactTests/Fixtures/questionnaire_conseillers.xlsx", rows: 1, sheet: "2")
        #expect(text.contains("header (row 3): [Horodateur]"))
        #expect(text.contains("skipped above the header: row 1 ["))
        #expect(text.contains("4. Vague — text: 'Avant' ×148, 'Après' ×141, 'T2' ×1"))
    }
}
