import Foundation
import Testing
import TestSupport
@testable import Pipeline
import Records

/// The same inputs give byte-identical `rejects.csv` and `indicators.csv`, and manifests that say the same
/// of every input, under `impact run`, `impact refresh` and `impact merge`: the sample cut into several
/// files per source, and seeded
/// variants with duplicates, unknown actions named twice, conflicting versions, resubmitted answers
/// and NUL bytes in values.
@Suite("run = refresh = merge", .serialized)
struct SameOutputsTests {
    /// One source's export as lines of bytes (the actions journal is Windows-1252: never decoded here).
    struct Table {
        /// The sample file it was read from.
        let file: String
        let prefix: String
        let ext: String
        let separator: UInt8
        /// Title and header lines, repeated at the top of every file.
        let head: [[UInt8]]
        var rows: [[UInt8]]

        init(_ file: String, prefix: String, ext: String, separator: Character, headLines: Int) throws {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Paths.root)/inputs/\(file)")))
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map(Array.init)
            self.file = file
            self.prefix = prefix
            self.ext = ext
            self.separator = UInt8(ascii: separator.unicodeScalars.first ?? ",")
            head = Array(lines.prefix(headLines))
            rows = Array(lines.dropFirst(headLines))
        }

        /// Rows whose fields can be edited by splitting on the separator (no quotes).
        func editable(_ random: inout SeededGenerator) -> [UInt8] {
            let plain = rows.filter { !$0.contains(UInt8(ascii: "\"")) }
            return plain[Int.random(in: 0..<plain.count, using: &random)]
        }

        func fields(_ row: [UInt8]) -> [[UInt8]] { row.split(separator: separator, omittingEmptySubsequences: false).map(Array.init) }

        func with(_ row: [UInt8], field: Int, _ value: ([UInt8]) -> [UInt8]) -> [UInt8] {
            var f = fields(row)
            f[field] = value(f[field])
            return Array(f.joined(separator: [separator]))
        }

        mutating func insert(_ row: [UInt8], _ random: inout SeededGenerator) {
            rows.insert(row, at: Int.random(in: 0...rows.count, using: &random))
        }
    }

    /// A folder holding the pipeline file, the inputs cut in two parts (`_1`, `_2`) and a shared key.
    struct Variant {
        let folder: String
        let key: String
        var tables: [Table]

        init(_ name: String) throws {
            folder = Paths.scratch(name)
            key = try MergeTests.sharedKey()
            try FileManager.default.createDirectory(atPath: "\(folder)/inputs", withIntermediateDirectories: true)
            for xml in ["presences_saint-etienne_2024-2025.xml", "questionnaire_industriels_2024-2025.xml"] {
                try FileManager.default.copyItem(atPath: "\(Paths.root)/inputs/\(xml)", toPath: "\(folder)/inputs/\(xml)")
            }
            tables = [
                try Table("actions_declic_2024-2025.csv", prefix: "actions", ext: "csv", separator: ";", headLines: 2),
                try Table("emargements_declic_2024-2025.csv", prefix: "emargements", ext: "csv", separator: ",", headLines: 1),
                try Table("questionnaire_conseillers_2024-2025.csv", prefix: "questionnaire_conseillers", ext: "csv", separator: ",", headLines: 1),
                try Table("parcours_declic_2024-2025.tsv", prefix: "parcours", ext: "tsv", separator: "\t", headLines: 1),
            ]
        }

        /// The sample pipeline file reading the cut sources by glob (the XML sources only with `xml`), as `whole.yml` in `folder`.
        func pipeline(in folder: String, xml: Bool) throws -> String {
            var text = try String(contentsOfFile: "\(Paths.root)/pipelines/declic-industrie.yml", encoding: .utf8)
            for t in tables {
                text = text.replacing("path: ../inputs/\(t.file)", with: "glob: inputs/\(t.prefix)_*.\(t.ext)")
            }
            text = text.replacing("../inputs/", with: "inputs/").replacing("../outputs/declic-industrie", with: "out")
                .replacing("\n  k: 5 ", with: "\n  key_file: \(key)\n  k: 5 ")
            if !xml {
                let pieces = text.components(separatedBy: "\n  - name: ")
                let kept = pieces.dropFirst().filter { !$0.hasPrefix("presences-saint-etienne") && !$0.hasPrefix("questionnaire-industriels") }
                text = ([pieces[0]] + kept).joined(separator: "\n  - name: ")
            }
            let path = "\(folder)/whole.yml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Writes every table as two files: part 1 the first rows, part 2 the rest, each part
        /// repeating `overlap` rows of the other (an overlapping export).
        func write(overlap: Int, _ random: inout SeededGenerator) throws {
            for t in tables {
                let cut = Int.random(in: t.rows.count / 3...(2 * t.rows.count / 3), using: &random)
                let first = Array(t.rows[..<min(t.rows.count, cut + overlap)]), second = Array(t.rows[max(0, cut - overlap)...])
                for (part, rows) in [("1", first), ("2", second)] {
                    let body = (t.head + rows).map { $0 + [UInt8(ascii: "\n")] }.joined()
                    try Data(body).write(to: URL(fileURLWithPath: "\(folder)/inputs/\(t.prefix)_\(part).\(t.ext)"))
                }
            }
        }

        /// Adds a parcours file that cannot be read (part 1): its header's first column, with a NUL byte, is not the one mapped.
        func writeUnreadable() throws {
            guard let parcours = tables.first(where: { $0.prefix == "parcours" }), let header = parcours.head.first else { return }
            let broken = Array("Ident\u{0}ifiant".utf8) + header.drop { $0 != parcours.separator }
            try Data(broken + [UInt8(ascii: "\n")]).write(to: URL(fileURLWithPath: "\(folder)/inputs/parcours_1z.tsv"))
        }

        /// Makes the partner XML attendance export break off (libxml2 stops at a fatal error, the file
        /// is unreadable from there) after a participant rejected for an unknown profile.
        func breakPartnerXML() throws {
            let path = "\(folder)/inputs/presences_saint-etienne_2024-2025.xml"
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let profile = Array("<pres:Profil>Industriel</pres:Profil>".utf8)
            if let at = (0...(bytes.count - profile.count)).first(where: { bytes[$0..<$0 + profile.count].elementsEqual(profile) }) {
                bytes.replaceSubrange(at..<at + profile.count, with: Array("<pres:Profil>Inconnu</pres:Profil>".utf8))
            }
            bytes = Array(bytes.prefix(bytes.count * 3 / 5)) + Array("\n<pres:Participant><<\n".utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }

        /// What `impact run`, `refresh` and `merge` write, by mode. The partitions merged are part 1 with the XML
        /// sources and part 2, each in a folder of its own under the same pipeline file (reject messages name it).
        func outputs() throws -> [String: [String: Data]] {
            let whole = try pipeline(in: folder, xml: true)
            _ = try PipelineRun.execute(pipelinePath: whole, options: RunOptions(outputFolder: "\(folder)/run"))
            _ = try PipelineRefresh.execute(pipelinePath: whole, options: RefreshOptions(outputFolder: "\(folder)/refresh"))
            var states: [String] = []
            let inputs = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/inputs")
            for (part, xml) in [("1", true), ("2", false)] {
                let partition = "\(folder)/part\(part)"
                try FileManager.default.createDirectory(atPath: "\(partition)/inputs", withIntermediateDirectories: true)
                for file in inputs where file.contains("_\(part)") || (xml && file.hasSuffix(".xml")) {
                    try FileManager.default.copyItem(atPath: "\(folder)/inputs/\(file)", toPath: "\(partition)/inputs/\(file)")
                }
                var options = RunOptions(outputFolder: "\(partition)/out")
                options.emitState = "\(partition).state"
                _ = try PipelineRun.execute(pipelinePath: try pipeline(in: partition, xml: xml), options: options)
                states.append("\(partition).state")
            }
            _ = try PipelineMerge.execute(pipelinePath: whole, states: states, options: RunOptions(outputFolder: "\(folder)/merge"))
            return try ["run", "refresh", "merge"].reduce(into: [:]) { $0[$1] = try SameOutputsTests.compared(in: "\(folder)/\($1)") }
        }

        /// Mutates the tables the way exports go wrong (seeded).
        mutating func mutate(_ random: inout SeededGenerator, seed: UInt64) {
            func index(_ prefix: String) -> Int { tables.firstIndex { $0.prefix == prefix } ?? 0 }
            let actions = index("actions"), attendance = index("emargements"), answers = index("questionnaire_conseillers"), pathway = index("parcours")
            let nul = { (v: [UInt8]) in Array(v.prefix(2)) + [0] + Array(v.dropFirst(2)) }
            let profiles = ["Conseiller France Travail", "Entreprise industrielle", "Collaborateur industriel", "Chargée d'insertion SIAE"]
            for _ in 0..<Int.random(in: 2...4, using: &random) {
                // Attendance: an exact copy, another profile (a conflict), another organisation only, an id in
                // other letters, NUL bytes in the organisation, the name and the profile.
                let t = tables[attendance]
                let row = t.editable(&random)
                let profile = Array((profiles.randomElement(using: &random) ?? "").utf8)
                for copy in [row, t.with(row, field: 7) { _ in profile }, t.with(row, field: 6) { _ in Array("Autre structure".utf8) },
                             t.with(row, field: 1) { Array(String(decoding: $0, as: UTF8.self).lowercased().utf8) },
                             t.with(t.editable(&random), field: [2, 6, 7].randomElement(using: &random) ?? 6, nul)] {
                    tables[attendance].insert(copy, &random)
                }
            }
            // The same line naming an unknown action, twice; and once more with another profile.
            let unknown = tables[attendance].with(tables[attendance].editable(&random), field: 1) { _ in Array("ZZZ-9\(seed)".utf8) }
            for copy in [unknown, unknown, tables[attendance].with(unknown, field: 7) { _ in Array("Entreprise industrielle".utf8) }] {
                tables[attendance].insert(copy, &random)
            }
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                // Actions: an exact copy, a second version (another duration), a NUL in the organiser.
                let t = tables[actions]
                let row = t.editable(&random)
                for copy in [row, t.with(row, field: 5) { _ in Array("9,5".utf8) }, t.with(t.editable(&random), field: 4, nul)] {
                    tables[actions].insert(copy, &random)
                }
                // Answers resubmitted: an exact copy, a later and an earlier one with another answer, the same
                // day with another answer, a NUL in a comment.
                let a = tables[answers]
                let answer = a.editable(&random)
                let other = { (v: [UInt8]) in Array((v.isEmpty || v.first == UInt8(ascii: "P") ? "Tout à fait d'accord" : "Pas du tout d'accord").utf8) }
                for copy in [answer, a.with(a.with(answer, field: 0) { Self.shift($0, days: 1) }, field: 4, other),
                             a.with(a.with(answer, field: 0) { Self.shift($0, days: -1) }, field: 5, other), a.with(answer, field: 6, other),
                             a.with(a.editable(&random), field: 11) { Array("Trop loin\u{0} du tram".utf8) + $0 }] {
                    tables[answers].insert(copy, &random)
                }
                // Pathway: an exact copy, a second version (another contract), a NUL in the employer.
                let p = tables[pathway]
                let event = p.editable(&random)
                for copy in [event, p.with(event, field: 7) { $0 == Array("CDI".utf8) ? Array("CDD 8 mois".utf8) : Array("CDI".utf8) },
                             p.with(p.editable(&random), field: 4, nul)] {
                    tables[pathway].insert(copy, &random)
                }
            }
        }

        /// A "dd/mm/yyyy hh:mm" timestamp moved by a day (kept within the month).
        static func shift(_ value: [UInt8], days: Int) -> [UInt8] {
            let text = String(decoding: value, as: UTF8.self)
            guard let day = Int(text.prefix(2)) else { return value }
            let moved = min(28, max(1, day + days))
            return Array((String(format: "%02d", moved) + text.dropFirst(2)).utf8)
        }
    }

    /// Lines as text, NUL bytes shown as ␀ (a terminal would cut the message there).
    static func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).replacing("\u{0}", with: "␀").split(separator: "\n").map(String.init)
    }

    /// What the modes must agree on in an output folder: `rejects.csv`, `indicators.csv`, and what the
    /// manifest says of every input (as lines).
    static func compared(in folder: String) throws -> [String: Data] {
        var files = try ["rejects.csv", "indicators.csv"].reduce(into: [String: Data]()) {
            $0[$1] = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\($1)"))
        }
        let fields = ["source", "path", "size", "sha256", "format", "encoding", "delimiter"]
        files[manifestInputs] = Data(try TestSupport.manifestInputs(folder, fields: fields).map { input in
            fields.map { "\($0)=\(input[$0] ?? "")" }.joined(separator: " ") + "\n"
        }.joined().utf8)
        return files
    }

    static let manifestInputs = "manifest.json inputs"

    static func expectSame(_ outputs: [String: [String: Data]], _ label: String, modes: [String] = ["refresh", "merge"]) {
        for file in ["rejects.csv", "indicators.csv", manifestInputs] {
            let run = outputs["run"]?[file] ?? Data()
            #expect(!run.isEmpty, "\(label): run wrote no \(file)")
            for mode in modes {
                let other = outputs[mode]?[file] ?? Data()
                guard other != run else { continue }
                let a = Self.lines(run), b = Self.lines(other)
                let at = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                Issue.record("\(label): \(file) differs between run and \(mode) at line \(at + 1) (\(a.count) vs \(b.count) lines):\n run: \(at < a.count ? a[at] : "—")\n \(mode): \(at < b.count ? b[at] : "—")")
            }
        }
    }

    @Test func theSampleCutInOverlappingFiles() throws {
        var random = SeededGenerator(seed: 1)
        let variant = try Variant("same-sample")
        try variant.write(overlap: 5, &random)
        Self.expectSame(try variant.outputs(), "sample")
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func seededVariants(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var variant = try Variant("same-\(seed)")
        variant.mutate(&random, seed: seed)
        try variant.write(overlap: Int.random(in: 0...8, using: &random), &random)
        try variant.writeUnreadable()
        if seed % 2 == 1 { try variant.breakPartnerXML() }
        Self.expectSame(try variant.outputs(), "seed \(seed)")
    }

    /// Exports arriving over two refreshes (part 2 repeating part 1's tail, an unknown action's line in
    /// both, answers resubmitted later and earlier): the second refresh writes what a run on every file writes.
    @Test func refreshesAsTheExportsArrive() throws {
        var random = SeededGenerator(seed: 21)
        let variant = try Variant("same-rounds")
        try variant.write(overlap: 12, &random)
        let inputs = "\(variant.folder)/inputs"
        func append(_ file: String, _ lines: [[UInt8]]) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(inputs)/\(file)"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(lines.map { $0 + [UInt8(ascii: "\n")] }.joined()))
            try handle.close()
        }
        let sheet = variant.tables[1], answers = variant.tables[2]
        let unknown = sheet.with(sheet.editable(&random), field: 1) { _ in Array("ZZZ-21".utf8) }
        try append("emargements_1.csv", [unknown])
        try append("emargements_2.csv", [unknown])
        let answered = answers.editable(&random)
        let change = { (v: [UInt8]) in v == Array("Plutôt d'accord".utf8) ? Array("Pas du tout d'accord".utf8) : Array("Plutôt d'accord".utf8) }
        try append("questionnaire_conseillers_1.csv", [answered])
        try append("questionnaire_conseillers_2.csv", [answers.with(answers.with(answered, field: 0) { Variant.shift($0, days: 1) }, field: 4, change),
                                                       answers.with(answers.with(answered, field: 0) { Variant.shift($0, days: -1) }, field: 5, change),
                                                       answered])
        let later = try FileManager.default.contentsOfDirectory(atPath: inputs).filter { $0.contains("_2.") }
        try FileManager.default.createDirectory(atPath: "\(variant.folder)/later", withIntermediateDirectories: true)
        for file in later { try FileManager.default.moveItem(atPath: "\(inputs)/\(file)", toPath: "\(variant.folder)/later/\(file)") }
        let whole = try variant.pipeline(in: variant.folder, xml: true)
        _ = try PipelineRefresh.execute(pipelinePath: whole, options: RefreshOptions(outputFolder: "\(variant.folder)/refresh"))
        for file in later { try FileManager.default.moveItem(atPath: "\(variant.folder)/later/\(file)", toPath: "\(inputs)/\(file)") }
        let second = try PipelineRefresh.execute(pipelinePath: whole, options: RefreshOptions(outputFolder: "\(variant.folder)/refresh"))
        #expect(second.changed && second.files.filter { $0.kind == .new }.count == later.count)
        #expect(second.replaced >= 1)  // the later answer corrects the one held
        _ = try PipelineRun.execute(pipelinePath: whole, options: RunOptions(outputFolder: "\(variant.folder)/run"))
        let outputs = try ["run", "refresh"].reduce(into: [String: [String: Data]]()) { $0[$1] = try Self.compared(in: "\(variant.folder)/\($1)") }
        Self.expectSame(outputs, "two refreshes", modes: ["refresh"])
    }

    /// The same attendance line naming an unknown action, twice, is rejected once and counted once as a
    /// duplicate (lines are de-duplicated before they are linked); the person listed there with
    /// another type is a conflict, as at any action.
    @Test func anUnknownActionNamedTwiceIsRejectedOnce() throws {
        let w = try RefreshTests.Workspace("unknown-twice")
        try w.export("all", 0..<w.lines.count)
        let plain = try PipelineRun.execute(pipelinePath: w.pipeline, options: RunOptions(outputFolder: "\(w.folder)/plain"))
        let line = "2025-01-06 12:32:00,ZZZ-404,Dupont,Jean,jean.dupont@exemple-industrie.fr,,Forges du Gier,Entreprise industrielle"
        try w.export("zzz", 0..<0)
        try ([w.header, line, line, line.replacing("Entreprise industrielle", with: "Conseiller France Travail")].joined(separator: "\n") + "\n")
            .write(toFile: "\(w.inputs)/emargements_zzz.csv", atomically: true, encoding: .utf8)
        let run = try PipelineRun.execute(pipelinePath: w.pipeline, options: RunOptions(outputFolder: "\(w.folder)/run"))
        func tally(_ result: RunResult) -> SourceTally? { result.summary.sources.first { $0.name == "emargements" }?.tally }
        let before = try #require(tally(plain)), after = try #require(tally(run))
        #expect(after.read == before.read + 3 && after.rejected == before.rejected + 2 && after.duplicates == before.duplicates + 1)
        let rejects = try String(contentsOfFile: "\(w.folder)/run/rejects.csv", encoding: .utf8).split(separator: "\n").filter { $0.contains("ZZZ-404") }
        #expect(rejects.count == 2)
        #expect(rejects.first?.contains(",unknown_action,no action 'ZZZ-404' in the actions sources") == true)
        #expect(rejects.last?.contains(",duplicate_conflict,this person is already listed at action 'ZZZ-404' as 'industriel'") == true)
        // A refresh of the same inputs says the same.
        _ = try w.refresh()
        #expect(try String(contentsOfFile: "\(w.out)/rejects.csv", encoding: .utf8) == String(contentsOfFile: "\(w.folder)/run/rejects.csv", encoding: .utf8))
    }

    /// A line read again in a later refresh with another profile is a correction: the refresh counts the
    /// person as the later export says (what a run on the corrected exports gives).
    @Test func aLaterExportCorrectsALineHeld() throws {
        let w = try RefreshTests.Workspace("correction")
        let n = w.lines.count, half = n / 2
        try w.export("a", 0..<half)
        _ = try w.refresh()
        let keys = w.lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().prefix(4).joined(separator: ",").lowercased() }
        let target = try #require((0..<half).first { i in
            w.lines[i].hasSuffix(",Conseiller France Travail") && !w.lines[i].contains("\"") && keys.filter { $0 == keys[i] }.count == 1
        })
        let corrected = w.lines[target].replacing(",Conseiller France Travail", with: ",Entreprise industrielle")
        try ([w.header] + w.lines[half..<n] + [corrected]).joined(separator: "\n").appending("\n")
            .write(toFile: "\(w.inputs)/emargements_b.csv", atomically: true, encoding: .utf8)
        let result = try w.refresh()
        #expect(result.replaced == 1)
        // The run that agrees: export a as corrected, and b.
        try w.export("a", 0..<half) { $0 == w.lines[target] ? corrected : $0 }
        #expect(try w.indicators() == (try w.cleanRun()))
    }
}

