import Foundation
import Testing
import TestSupport
@testable import Ingest
@testable import PipelineFile
@testable import Records

/// Each record kind's mapper on hand-written rows: the record expected field by field, and for a
/// faulty row every reject in reading order (field, value, reason).
@Suite("Record mappers, one per kind")
struct RecordMapperTests {
    static let key = PseudonymKey(k0: 1, k1: 2)

    /// A pipeline of one source of `kind` mapping `columns`, and the row mapper reading a header.
    struct Mapping {
        let rows: RowMapper
        let binding: ColumnBinding
        let organisations: OrganisationNames

        init(kind: String, columns: String, header: [String], extra: String = "", questionnaire: String = "") throws {
            let folder = Paths.scratch("mapper")
            _ = FileManager.default.createFile(atPath: "\(folder)/in.csv", contents: Data())
            let text = """
                outputs: {folder: out}
                vocabularies:
                  territory: {lyon: [Lyon], stetienne: [Saint-Étienne]}
                \(questionnaire)
                sources:
                  - name: s
                    kind: \(kind)
                    path: in.csv
                    columns: {\(columns)}
                \(extra)
                """
            let config = try PipelineLoader.parse(text: text, file: "p.yml", baseDirectory: folder)
            let source = config.sources[0]
            let items = source.items.compactMap { entry in config.questionnaire.index(ofItem: entry.id).map { (item: $0, columns: entry.columns) } }
            organisations = OrganisationNames()
            rows = RowMapper(source: source, config: config, key: RecordMapperTests.key, organisationNames: organisations)
            binding = try #require(ColumnBinding.bind(header: header, columns: source.columns, counts: source.counts, items: items).0)
        }

        func map(_ fields: [String], line: Int = 2) -> MappedRecord {
            var fellBack = false
            return rows.map(CSVRow(fields: fields, line: line), binding: binding, fellBack: &fellBack)
        }
    }

    /// (field, value, reason) of each reject of a rejected record.
    static func rejects(_ record: MappedRecord) -> [String] {
        guard case .rejected(let rejects, _) = record else { return ["not rejected: \(record)"] }
        return rejects.map { "\($0.field)|\($0.value)|\($0.reason.rawValue)" }
    }

    static func hash(_ text: String) -> UInt64 { key.hash(Fold.key(text)) }

    /// Two items, the second reverse-coded.
    static let questionnaire = """
        questionnaire:
          items:
            salaires: {label: "Les salaires sont attractifs", dimension: attractivite}
            acces: {label: "Les sites sont difficiles d'accès", dimension: conditions, reverse: true}
        """

    @Test func action() throws {
        let m = try Mapping(kind: "actions", columns: "action_id: Code, date: Date, territory: Territoire, action_type: Type, duration_hours: Durée, organiser: Organisateur",
                            header: ["Code", "Date", "Territoire", "Type", "Durée", "Organisateur", "Candidats"],
                            extra: "    counts: {candidat: Candidats}")
        let good = m.map(["A1", "03/02/2025", " Lyon ", "ZI Tour", "1,5", "UIMM", "12"])
        guard case .action(let action) = good else { Issue.record("\(good)"); return }
        #expect(action.id == "A1" && action.date == CalendarDate(year: 2025, month: 2, day: 3))
        #expect(action.territory == "lyon" && action.actionType == "zi_tour" && action.organiser == "UIMM")
        #expect(action.durationHours == 1.5 && action.declaredCounts == ["candidat": 12])
        #expect(action.location == RecordLocation(source: "s", line: 2))
        // Every faulty field, in reading order; no id, so none to name the action by.
        let bad = m.map(["", "31/02/2025", "Grenoble", "Vis ma vie", "-2", "", "-3"])
        #expect(Self.rejects(bad) == ["action_id||missing_value", "date|31/02/2025|date_invalid", "territory|Grenoble|unknown_territory",
                                      "duration_hours|-2|number_format", "counts.candidat|-3|number_negative"])
        if case .rejected(_, let id) = bad { #expect(id == nil) }
        // A rejected action keeps its id, so its attendance lines can say it was rejected.
        let counted = m.map(["A2", "12/31/2024", "Lyon", "ZI Tour", "", "", "une vingtaine"])
        #expect(Self.rejects(counted) == ["date|12/31/2024|date_ambiguous", "counts.candidat|une vingtaine|number_format"])
        if case .rejected(_, let id) = counted { #expect(id == "A2") }
    }

    @Test func attendance() throws {
        let m = try Mapping(kind: "attendance", columns: "action_id: Action, person: Email, stakeholder_type: Profil, organisation: Entreprise, last_name: Nom",
                            header: ["Action", "Email", "Profil", "Entreprise", "Nom"])
        let good = m.map(["A1", " Jean.Dupont@Exemple.fr ", "Entreprise", "Forges  SA", "Dupont"])
        guard case .attendance(let line) = good else { Issue.record("\(good)"); return }
        #expect(line.actionID == "A1" && line.stakeholderType == "industriel")
        #expect(line.person == Self.hash("jean.dupont@exemple.fr"))
        #expect(line.organisation == Self.hash("forges sa"))
        #expect(m.organisations.byKey == [Self.hash("forges sa"): "Forges  SA"])
        #expect(m.rows.names.words == [Self.key.hash("dupont")])
        // No organisation: none, and nothing named.
        guard case .attendance(let bare) = m.map(["A1", "x@y.fr", "Conseillère", "", ""]) else { Issue.record("not a line"); return }
        #expect(bare.organisation == nil && bare.stakeholderType == "prescripteur")
        #expect(Self.rejects(m.map(["", "", "Martien", "X", ""])) == ["action_id||missing_value", "person||missing_value",
                                                                      "stakeholder_type|Martien|unknown_stakeholder_type"])
        // More fields than the header, one of them filled: a delimiter inside a value, the row rejected
        // whole (the value, of no known field, is shown masked: it may hold a person).
        let split = Self.rejects(m.map(["A1", "x@y.fr", "Entreprise", "Forges", "Dupont", "", " SA"]))
        #expect(split.count == 1 && split[0].hasPrefix("|") && split[0].hasSuffix("|csv_extra_fields"), "\(split)")
        let blankExtra = m.map(["A1", "x@y.fr", "Entreprise", "Forges", "Dupont", " ", ""])  // blank extra fields are harmless
        if case .attendance = blankExtra {} else { Issue.record("\(blankExtra)") }
    }

    @Test func response() throws {
        let m = try Mapping(kind: "responses", columns: "respondent: Email, territory: Territoire, date: Date, wave: Vague, stakeholder_type: Profil, comment: Commentaire",
                            header: ["Email", "Territoire", "Date", "Vague", "Profil", "Q1", "Q2", "Commentaire"],
                            extra: "    wave: column\n    items: {salaires: Q1, acces: Q2}", questionnaire: Self.questionnaire)
        let good = m.map(["a@b.fr", "Saint-Étienne", "2025-03-01", "Après", "Conseiller", "Plutôt d'accord", "2", "Très bien"])
        guard case .response(let r) = good else { Issue.record("\(good)"); return }
        #expect(r.respondent == Self.hash("a@b.fr") && r.territory == "stetienne" && r.wave == .post && r.stakeholderType == "prescripteur")
        // "Plutôt d'accord" is 4; the reverse-coded 2 is scored 6 − 2.
        #expect(r.answers == [4, 4] && r.before.isEmpty && r.comment == "Très bien")
        guard case .response(let blank) = m.map(["a@b.fr", "Lyon", "2025-03-01", "Avant", "Conseiller", "NSP", "", ""]) else {
            Issue.record("not a response"); return
        }
        #expect(blank.answers == [0, 0] && blank.wave == .pre && blank.comment == nil)  // no answer, never a score
        #expect(Self.rejects(m.map(["a@b.fr", "Lyon", "2025-03-01", "Pendant", "Conseiller", "6", "Bof", ""]))
                == ["wave|Pendant|unknown_wave", "item.salaires|6|likert_value", "item.acces|Bof|likert_value"])
    }

    /// Answers are scored from a cache of the labels already read (by their raw bytes): every row
    /// gets the score its label had the first time, reverse coding applied per item, a missing-answer
    /// label stays 0, a label off the scale is rejected on every row, and a label read as
    /// Windows-1252 counts as such on every row holding it.
    @Test func responseScoresFromTheLabelCache() throws {
        let m = try Mapping(kind: "responses", columns: "respondent: Email, territory: Territoire, date: Date, wave: Vague",
                            header: ["Email", "Territoire", "Date", "Vague", "Q1", "Q2"],
                            extra: "    wave: column\n    stakeholder_type: prescripteur\n    items: {salaires: Q1, acces: Q2}",
                            questionnaire: Self.questionnaire)
        // "Plutôt d'accord" in Windows-1252 (ô = 0xF4): not UTF-8, so read as Windows-1252.
        let latin = Array("Plut".utf8) + [0xF4] + Array("t d'accord".utf8)
        func row(_ q1: [UInt8], _ q2: [UInt8]) -> (MappedRecord, Bool) {
            var bytes: [UInt8] = [], bounds: [Int] = []
            for field in [Array("a@b.fr".utf8), Array("Lyon".utf8), Array("2025-03-01".utf8), Array("Avant".utf8), q1, q2] {
                bounds.append(bytes.count)
                bytes += field
                bounds.append(bytes.count)
            }
            var fellBack = false
            let record = m.rows.map(CSVRow(bytes: bytes, bounds: bounds[...], line: 2), binding: m.binding, fellBack: &fellBack)
            return (record, fellBack)
        }
        for round in 0..<3 {
            let (plain, plainFell) = row(Array("Plutôt d'accord".utf8), Array(" 2 ".utf8))
            guard case .response(let r) = plain else { Issue.record("round \(round): \(plain)"); return }
            #expect(r.answers == [4, 4] && !plainFell, "round \(round)")  // the reverse-coded 2 is 6 − 2
            let (fell, fellBack) = row(latin, Array("Plutôt d'accord".utf8))
            guard case .response(let f) = fell else { Issue.record("round \(round): \(fell)"); return }
            #expect(f.answers == [4, 2] && fellBack, "round \(round)")  // the same label scored 4, reversed 2
            let (missing, _) = row(Array("NSP".utf8), Array("".utf8))
            guard case .response(let n) = missing else { Issue.record("round \(round): \(missing)"); return }
            #expect(n.answers == [0, 0], "round \(round)")
            #expect(Self.rejects(row(Array("Bof".utf8), Array("6".utf8)).0) == ["item.salaires|Bof|likert_value", "item.acces|6|likert_value"],
                    "round \(round)")
        }
    }

    @Test func pathway() throws {
        let m = try Mapping(kind: "pathway",
                            columns: "candidate: Id, event: Étape, date: Date, territory: Territoire, employer: Employeur, referrer_type: Prescripteur, contract: Contrat, contract_start: Début, contract_end: Fin, contract_months: Mois, action_id: Action",
                            header: ["Id", "Étape", "Date", "Territoire", "Employeur", "Prescripteur", "Contrat", "Début", "Fin", "Mois", "Action"])
        let hire = m.map(["C7", "Embauche", "2025-04-01", "Lyon", "Forges SA", "Pôle emploi", "CDD 8 mois", "", "", "", "A1"])
        guard case .pathway(let event) = hire else { Issue.record("\(hire)"); return }
        #expect(event.candidate == Self.hash("c7") && event.kind == .hire && event.date == CalendarDate(year: 2025, month: 4, day: 1))
        #expect(event.employer == Self.hash("forges sa") && event.referrer == nil && event.referrerType == "france_travail")
        #expect(event.contractType == "cdd" && event.contractMonths == 8 && event.actionID == "A1")
        // Dates win over the length written with the type; a length column wins over both.
        guard case .pathway(let dated) = m.map(["C7", "Embauche", "2025-03-01", "Lyon", "", "", "CDD 2 mois", "01/03/2025", "31/08/2025", "", ""]),
              case .pathway(let counted) = m.map(["C7", "Embauche", "2025-03-01", "Lyon", "", "", "CDD", "01/03/2025", "31/08/2025", "7,5", ""]) else {
            Issue.record("not events"); return
        }
        #expect(dated.contractMonths == 6 && counted.contractMonths == 7.5)
        #expect(Self.rejects(m.map(["C7", "Signature", "2025-03-01", "Lyon", "", "Voisin", "Stage rémunéré", "01/03/2025", "", "six", ""]))
                == ["event|Signature|unknown_event_kind", "referrer_type|Voisin|unknown_referrer_type", "contract|Stage rémunéré|unknown_contract_type",
                    "contract_end||missing_value", "contract_months|six|number_format"])
    }
}
