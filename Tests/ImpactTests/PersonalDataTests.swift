import Foundation
import Testing
import TestSupport
@testable import Pipeline
@testable import Records

/// No personal data leaves: a name, an e-mail and a phone planted in every field of every kind of
/// source (and a header line removed) appear in no output file, nor in a partition's state.
@Suite("Personal data", .serialized)
struct PersonalDataTests {
    static let plant = "Gwendoline Kerbrat gwen.kerbrat@exemple.org 06 71 23 45 89"
    /// What must never be found, case ignored.
    static let needles = ["kerbrat", "gwendoline", "gwen.kerbrat", "exemple.org", "71 23 45 89", "0671234589"]

    /// Rows of a table: the valid ones, then one per column with the planted text in that column.
    static func planted(_ base: [[String]], id: (Int) -> String = { "P\($0)" }) -> [[String]] {
        guard let model = base.first else { return base }
        return base + model.indices.map { column in
            var row = model
            row[0] = id(column)
            row[column] = plant
            return row
        }
    }

    static func csv(_ header: [String], _ rows: [[String]], _ d: String = ",") -> String {
        func field(_ f: String) -> String { f.contains(d) || f.contains("\"") ? "\"" + f.replacing("\"", with: "\"\"") + "\"" : f }
        return ([header] + rows).map { $0.map(field).joined(separator: d) }.joined(separator: "\n") + "\n"
    }

    static func escape(_ s: String) -> String { XMLEquivalenceTests.escape(s) }

    /// A programme whose every source carries the planted text; returns the pipeline file.
    static func programme(in folder: String) throws -> String {
        func write(_ text: String, _ name: String) throws { try text.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8) }
        let actions = planted([["A1", "10/03/2025", "Lyon", "ZI Tour", "UIMM", ""], ["A2", "12/03/2025", "Lyon", "Vis ma vie", "", "4"]])
        try write(csv(["id", "date", "territoire", "type", "organisateur", "nb"], actions, ";"), "actions.csv")
        // Attendance: the planted person is also a valid line, so the name is one the inputs hold.
        var people: [[String]] = [["A1", "gwen.kerbrat@exemple.org", "Conseiller", "France Travail", "Kerbrat", "Gwendoline"]]
        for i in 0..<8 { people.append(["A\(i % 2 + 1)", "p\(i)@structure.fr", ["Conseiller", "Industriel"][i % 2], "Usine \(i % 3)", "Nom\(i)", "Prenom\(i)"]) }
        var sheet = planted(people, id: { _ in "A1" })
        sheet.append(people[1] + [plant])  // extra fields
        let attendanceHeader = ["action", "email", "profil", "structure", "nom", "prenom"]
        try write(csv(attendanceHeader, sheet), "emargements.csv")
        // The same export with its header line lost: its first record is a person's.
        try write(csv(attendanceHeader, planted(people, id: { _ in "A1" })).split(separator: "\n").dropFirst().joined(separator: "\n") + "\n",
                  "emargements-sans-entete.csv")
        // Partner XML: sessions (their code on the element) holding participants.
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Export>\n"
        for (code, rows) in [("A2", planted(people.map { Array($0[1...]) + [$0[0]] }, id: { _ in "p9@structure.fr" })), (plant, [Array(people[1][1...])])] {
            xml += "<Seance code=\"\(escape(code))\">\n" + rows.map { r in
                "<Participant><Courriel>\(escape(r[0]))</Courriel><Profil>\(escape(r[1]))</Profil><Structure>\(escape(r[2]))</Structure>"
                    + "<Nom>\(escape(r[3]))</Nom><Prenom>\(escape(r[4]))</Prenom></Participant>"
            }.joined(separator: "\n") + "\n</Seance>\n"
        }
        try write(xml + "</Export>\n", "presences.xml")
        // Answers: CSV, SpreadsheetML and ODK, each with a comment quoting the person.
        var answers: [[String]] = []
        for i in 0..<8 {
            for (wave, day) in [("avant", "01/02/2025"), ("après", "01/06/2025")] {
                answers.append(["R\(i)", "Lyon", day, wave, String(i % 5 + 1), String((i + 2) % 5 + 1),
                                i == 0 ? "Sans voiture c'est dur, voir \(plant)" : "Accès difficile sans voiture"])
            }
        }
        let responseHeader = ["id", "territoire", "date", "vague", "q1", "q2", "commentaire"]
        try write(csv(responseHeader, planted(answers)), "reponses.csv")
        var workbook = "<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">\n<Worksheet ss:Name=\"R\"><Table>\n"
        for r in [responseHeader] + planted(answers, id: { "S\($0)" }) {
            workbook += "<Row>" + r.map { "<Cell><Data ss:Type=\"String\">\(escape($0))</Data></Cell>" }.joined() + "</Row>\n"
        }
        try write(workbook + "</Table></Worksheet></Workbook>\n", "reponses.xml")
        try FileManager.default.createDirectory(atPath: "\(folder)/odk", withIntermediateDirectories: true)
        for (i, r) in planted(answers, id: { "O\($0)" }).enumerated() {
            let leaves = zip(["code", "territoire", "date", "vague", "q1", "q2", "commentaire"], r).map { "<\($0)>\(escape($1))</\($0)>" }.joined()
            try write("<?xml version='1.0' ?><q id=\"q\"><g>\(leaves)</g><meta><instanceID>uuid:\(i)</instanceID></meta></q>", "odk/\(i).xml")
        }
        var events: [[String]] = []
        for i in 0..<6 {
            events.append(["C\(i)", "Mise en relation", "2025-01-10", "Lyon", "", "Orienteur", "France Travail", "", "Kerbrat"])
            events.append(["C\(i)", "Embauche", "2025-03-10", "Lyon", "Usine", "Orienteur", "France Travail", "CDI", "Kerbrat"])
        }
        try write(csv(["candidat", "etape", "date", "territoire", "employeur", "orienteur", "type", "contrat", "nom"], planted(events), "\t"), "parcours.tsv")
        let responses = "columns: {respondent: id, territory: territoire, date: date, wave: vague, comment: commentaire}"
        try write("""
        outputs: {folder: out}
        privacy: {k: 3}
        quality: {max_reject_rate: 1}
        vocabularies:
          territory: {lyon: [Lyon]}
        themes:
          quotes: true
          obstacles: {mobilite: [voiture]}
        questionnaire:
          items:
            q1: {label: Q1, dimension: d}
            q2: {label: Q2, dimension: d}
        sources:
          - {name: actions, kind: actions, path: actions.csv, columns: {action_id: id, date: date, territory: territoire, action_type: type, organiser: organisateur}, counts: {candidat: nb}}
          - {name: emargements, kind: attendance, path: emargements.csv, columns: {action_id: action, person: email, stakeholder_type: profil, organisation: structure, last_name: nom, first_name: prenom}}
          - {name: sans-entete, kind: attendance, path: emargements-sans-entete.csv, columns: {action_id: action, person: email, stakeholder_type: profil}}
          - name: presences
            kind: attendance
            format: xml
            path: presences.xml
            xml: {record: /Export/Seance/Participant}
            columns: {action_id: ../@code, person: Courriel, stakeholder_type: Profil, organisation: Structure, last_name: Nom, first_name: Prenom}
          - {name: reponses, kind: responses, path: reponses.csv, stakeholder_type: prescripteur, wave: column, \(responses), items: {q1: q1, q2: q2}}
          - {name: classeur, kind: responses, format: spreadsheetml, path: reponses.xml, stakeholder_type: industriel, wave: column, \(responses), items: {q1: q1, q2: q2}}
          - name: odk
            kind: responses
            format: odk
            path: odk
            stakeholder_type: industriel
            wave: column
            columns: {respondent: g/code, territory: g/territoire, date: g/date, wave: g/vague, comment: g/commentaire}
            items: {q1: g/q1, q2: g/q2}
          - {name: parcours, kind: pathway, path: parcours.tsv, columns: {candidate: candidat, event: etape, date: date, territory: territoire, employer: employeur, referrer: orienteur, referrer_type: type, contract: contrat, last_name: nom}}
        """, "p.yml")
        return "\(folder)/p.yml"
    }

    /// Every file under `folder`, as text (bytes decoded leniently), by path.
    static func everyFile(_ folder: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for name in FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(folder)/\(name)", isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[name] = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)")), as: UTF8.self)
        }
        return files
    }

    @Test func plantedPersonalDataReachesNoOutput() throws {
        let folder = Paths.scratch("planted")
        let pipeline = try Self.programme(in: folder)
        let fr = try runImpact(["run", "--quiet", pipeline])
        let en = try runImpact(["run", "--quiet", pipeline, "--lang", "en", "--output", "\(folder)/out-en"])
        #expect(fr.code == 1 && en.code == 1, "\(fr.err) \(en.err)")
        let state = try runImpact(["run", "--quiet", pipeline, "--output", "\(folder)/out-state", "--emit-state", "\(folder)/partition.state"])
        #expect(state.code == 1, "\(state.err)")
        var outputs = try Self.everyFile("\(folder)/out")
        outputs.merge(try Self.everyFile("\(folder)/out-en").map { ("en/\($0)", $1) }, uniquingKeysWith: { a, _ in a })
        #expect(outputs.keys.contains("rejects.csv") && outputs.keys.contains("manifest.json") && outputs.keys.contains { $0.hasSuffix(".svg") })
        for (name, text) in outputs {
            for needle in Self.needles where text.lowercased().contains(needle) {
                Issue.record("\(name) holds '\(needle)'")
            }
        }
        // The state keeps pseudonyms and masked contacts: no e-mail or phone (a name typed into a comment or
        // a vocabulary field stays there, as README "Privacy" says; name fields are kept as keyed hashes).
        let stateBytes = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(folder)/partition.state")), as: UTF8.self).lowercased()
        for needle in ["gwen.kerbrat", "exemple.org", "71 23 45 89", "0671234589", "structure.fr"] where stateBytes.contains(needle) {
            Issue.record("the partition state holds '\(needle)'")
        }
        // What the planted fields became, so an evaluator can still fix the export.
        let rejects = try #require(outputs["rejects.csv"])
        #expect(rejects.contains("[masqué: ") && rejects.contains("[courriel]") && rejects.contains("[téléphone]") && rejects.contains("[nom]"))
        #expect(outputs["en/rejects.csv"]?.contains("[hidden: ") == true && outputs["en/rejects.csv"]?.contains("[e-mail]") == true)
        // A file whose header is lost: no field of it is quoted (none is known to be a column name).
        #expect(rejects.contains("sans-entete,") && rejects.contains("none of the first 50 rows holds a mapped column (3 in the source at p.yml:"))
        #expect(rejects.contains("unknown_territory"))
        let report = try #require(outputs["report.md"])
        #expect(report.contains("Sans voiture c'est dur, voir [nom] [courriel]"))
    }

    /// The one rule: person fields are hidden whole, vocabulary fields keep their value but not an e-mail or phone.
    @Test func maskingRuleByField() {
        let location = RecordLocation(source: "s", line: 2)
        let person = Reject(location: location, field: "person", value: "claire@x.fr", reason: .missingValue, message: "'claire@x.fr' is bad")
        #expect(person.value == PersonalData.Mask.hidden(11).token && !person.message.contains("claire"))
        let territory = Reject(location: location, field: "territory", value: "Grenoble", reason: .unknownTerritory, message: "'Grenoble' is not known")
        #expect(territory.value == "Grenoble" && territory.message == "'Grenoble' is not known")
        let phone = Reject(location: location, field: "territory", value: "06 12 34 56 78", reason: .unknownTerritory, message: "'06 12 34 56 78' is not known")
        #expect(phone.value == PersonalData.Mask.phone.token && !phone.message.contains("56 78"))
        let extra = Reject(location: location, field: "", value: "Jean | 0612345678", reason: .extraFields, message: "3 fields")
        #expect(extra.value == PersonalData.Mask.hidden(17).token)
        // Masking twice (a reject read back from the store) changes nothing.
        #expect(Reject(location: location, field: "person", value: person.value, reason: .missingValue, message: person.message) == person)
        let labels = PersonalData.Labels(email: "[courriel]", phone: "[téléphone]", name: "[nom]", hidden: "[masqué: {1} caractères]")
        #expect(PersonalData.render(person.value, labels: labels, isName: { _ in false }) == "[masqué: 11 caractères]")
        #expect(PersonalData.render("'Dupont Lyon' is not known", labels: labels, isName: { $0 == "dupont" }) == "'[nom] Lyon' is not known")
    }
}
