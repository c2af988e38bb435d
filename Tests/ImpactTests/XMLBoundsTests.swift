import Foundation
import Testing
import TestSupport
@testable import Pipeline
import Records

/// XML whose records are huge, attribute-heavy, deeply nested or broken: memory stays bounded, time
/// linear, and what cannot be read is reported where it is while the rest is read.
@Suite("XML bounds", .serialized)
struct XMLBoundsTests {
    /// An attendance export of three sessions' participants; `middle` is spliced in as the second
    /// session's participant (line 4).
    static func attendance(middle: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Export>
        <Session code="LYO-2401"><Participant email="a@x.fr"><Profil>Industriel</Profil></Participant></Session>
        <Session code="LYO-2402">\(middle)</Session>
        <Session code="STE-2402"><Participant email="c@x.fr"><Profil>Industriel</Profil></Participant></Session>
        </Export>

        """
    }

    static let source = """
        format: xml
        xml: {record: /Export/Session/Participant}
        columns: {action_id: ../@code, person: "@email", stakeholder_type: Profil}
    """

    /// Writes `xml` and a pipeline reading it as `source`, runs `impact run`
    /// under /usr/bin/time; returns the run, its peak RSS in MB, and rejects.csv.
    static func run(_ xml: String, _ name: String, source: String = Self.source) throws -> (BoundedRun, Int, String) {
        let folder = Paths.scratch(name)
        try BrokenXMLTests.writePresences(xml, "presences.xml", in: folder, source: source)
        let run = try runImpactBounded(["run", "\(folder)/p.yml", "--output", "\(folder)/out"], timeout: 120, memoryMB: 3_000,
                                       wrapper: ["/usr/bin/time", "-f", "peak-rss-kb %M"])
        let peak = run.err.split(separator: "\n").last { $0.hasPrefix("peak-rss-kb ") }.flatMap { Int($0.dropFirst(12)) }.map { $0 / 1024 } ?? -1
        let rejects = (try? String(contentsOfFile: "\(folder)/out/rejects.csv", encoding: .utf8)) ?? ""
        return (run, peak, rejects)
    }

    static func presencesLine(_ run: BoundedRun) -> String {
        run.out.split(separator: "\n").first { $0.hasPrefix("presences:") }.map(String.init) ?? ""
    }

    /// A 20 MB participant (the issue's 50 MB record peaked at 1.6 GB): rejected with its line, never
    /// built; the participants before and after it are read; the run stays under 150 MB.
    @Test func oversizedRecordIsRejectedWithoutBeingBuilt() throws {
        let notes = String(repeating: "<Note>une remarque assez longue pour peser</Note>\n", count: 400_000)
        let (run, peak, rejects) = try Self.run(Self.attendance(middle: "<Participant email=\"b@x.fr\">\(notes)<Profil>Industriel</Profil></Participant>"), "huge")
        #expect(!run.timedOut)
        #expect(Self.presencesLine(run).hasPrefix("presences: read 3, accepted 2, rejected 1"), "\(run.out)")
        #expect(rejects.contains("presences,/Export/Session/Participant[2] (line 4),,,xml_record_too_large,"), "\(rejects)")
        #expect(rejects.contains("larger than 1 MB (xml.max_record_bytes"), "\(rejects)")
        #expect(peak > 0 && peak < 150, "peak RSS \(peak) MB")
    }

    /// `xml.max_record_bytes` raises (or lowers) the limit.
    @Test func recordLimitIsSettable() throws {
        let notes = String(repeating: "<Note>une remarque</Note>\n", count: 80_000)  // 2 MB
        let xml = Self.attendance(middle: "<Participant email=\"b@x.fr\">\(notes)<Profil>Industriel</Profil></Participant>")
        let raised = Self.source.replacing("xml: {record: /Export/Session/Participant}",
                                           with: "xml: {record: /Export/Session/Participant, max_record_bytes: 4000000}")
        let (run, _, rejects) = try Self.run(xml, "raised", source: raised)
        #expect(Self.presencesLine(run).hasPrefix("presences: read 3, accepted 3, rejected 0"), "\(run.out) \(run.err)")
        #expect(!rejects.contains("xml_record_too_large"))
        let lowered = Self.source.replacing("xml: {record: /Export/Session/Participant}",
                                            with: "xml: {record: /Export/Session/Participant, max_record_bytes: 1000}")
        let small = Self.attendance(middle: "<Participant email=\"b@x.fr\"><Note>\(String(repeating: "x", count: 2_000))</Note><Profil>Industriel</Profil></Participant>")
        let (run2, _, rejects2) = try Self.run(small, "lowered", source: lowered)
        #expect(Self.presencesLine(run2).hasPrefix("presences: read 3, accepted 2, rejected 1"), "\(run2.out) \(run2.err)")
        #expect(rejects2.contains("xml_record_too_large"))
    }

    /// 200,000 attributes on one participant (55–63 s in the issue; libxml2 2.9 checks and links
    /// attributes pairwise): refused at once, the others read.
    @Test func attributeHeavyRecordIsRefusedQuickly() throws {
        let attributes = (0..<200_000).map { "a\($0)=\"v\"" }.joined(separator: " ")
        let clock = ContinuousClock.now
        let (run, _, rejects) = try Self.run(Self.attendance(middle: "<Participant email=\"b@x.fr\" \(attributes)><Profil>Industriel</Profil></Participant>"), "attributes")
        let seconds = (ContinuousClock.now - clock).seconds
        #expect(!run.timedOut && seconds < 60, "\(seconds) s")
        #expect(Self.presencesLine(run).hasPrefix("presences: read 3, accepted 2, rejected 1"), "\(run.out)")
        #expect(rejects.contains("xml_record_too_large"))
        // Fewer attributes, well under the size limit: more than 1,000 on one element is refused too.
        let some = (0..<5_000).map { "a\($0)=\"v\"" }.joined(separator: " ")
        let (run2, _, rejects2) = try Self.run(Self.attendance(middle: "<Participant email=\"b@x.fr\" \(some)><Profil>Industriel</Profil></Participant>"), "attributes2")
        #expect(Self.presencesLine(run2).hasPrefix("presences: read 3, accepted 2, rejected 1"), "\(run2.out)")
        #expect(rejects2.contains("more than 1,000 attributes"), "\(rejects2)")
    }

    /// 1.6 MB of SpreadsheetML rows spanning every column with `MergeAcross` (28 s and 386 MB in the
    /// issue): read in a moment, in little memory.
    @Test func mergeAcrossRowsAreCheap() throws {
        var sheet = """
        <?xml version="1.0"?>
        <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
        <Worksheet ss:Name="Feuil1"><Table>
        <Row><Cell><Data ss:Type="String">Code action</Data></Cell><Cell><Data ss:Type="String">E-mail</Data></Cell><Cell><Data ss:Type="String">Profil</Data></Cell></Row>
        <Row><Cell><Data ss:Type="String">LYO-2401</Data></Cell><Cell><Data ss:Type="String">a@x.fr</Data></Cell><Cell><Data ss:Type="String">Industriel</Data></Cell></Row>

        """
        let merged = "<Row><Cell ss:MergeAcross=\"16383\"/></Row>\n"
        sheet += String(repeating: merged, count: 1_600_000 / merged.utf8.count)
        sheet += "</Table></Worksheet></Workbook>\n"
        let clock = ContinuousClock.now
        let (run, peak, _) = try Self.run(sheet, "merge", source: """
            format: spreadsheetml
            columns: {action_id: Code action, person: E-mail, stakeholder_type: Profil}
        """)
        let seconds = (ContinuousClock.now - clock).seconds
        #expect(!run.timedOut && seconds < 30, "\(seconds) s")
        #expect(Self.presencesLine(run).hasPrefix("presences: read 1, accepted 1"), "\(run.out)")
        #expect(peak > 0 && peak < 150, "peak RSS \(peak) MB")
        // Rows whose one cell is in the last column: dense up to it, in one go (18 s in release before).
        let dense = sheet.replacing(merged, with: "").replacing("</Table>", with: String(repeating: "<Row><Cell ss:Index=\"16384\"><Data ss:Type=\"String\">x</Data></Cell></Row>\n", count: 1_000) + "</Table>")
        let start = ContinuousClock.now
        let (run2, _, _) = try Self.run(dense, "dense", source: """
            format: spreadsheetml
            columns: {action_id: Code action, person: E-mail, stakeholder_type: Profil}
        """)
        #expect(!run2.timedOut && (ContinuousClock.now - start).seconds < 60, "\((ContinuousClock.now - start).seconds) s")
        #expect(Self.presencesLine(run2).hasPrefix("presences: read 1001, accepted 1, rejected 1000"), "\(run2.out)")
    }

    /// Nesting deeper than the documented 128 levels is refused inside a record too (252 passed).
    @Test func nestingLimitHoldsInsideRecords() throws {
        let deep = String(repeating: "<g>", count: 200) + "x" + String(repeating: "</g>", count: 200)
        let (run, _, _) = try Self.run(Self.attendance(middle: "<Participant email=\"b@x.fr\">\(deep)<Profil>Industriel</Profil></Participant>"), "deep")
        #expect(run.code == 1)
        #expect(Self.presencesLine(run).contains("UNREADABLE") && Self.presencesLine(run).contains("nested deeper than 128 levels"), "\(run.out)")
        #expect(Self.presencesLine(run).hasPrefix("presences: read 1"), "the participant before is kept: \(run.out)")
    }

    /// A refused entity declaration is reported at its own line, not at the end of the document.
    @Test func entityRefusalPointsAtTheDeclaration() throws {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE Export [\n  <!ENTITY e \"x\">\n]>\n<Export>\n"
        for i in 0..<200 { xml += "<Session code=\"LYO-2401\"><Participant email=\"p\(i)@x.fr\"><Profil>Industriel</Profil></Participant></Session>\n" }
        xml += "</Export>\n"
        let (run, _, _) = try Self.run(xml, "entity")
        #expect(Self.presencesLine(run).contains("UNREADABLE: ") && Self.presencesLine(run).contains("presences.xml: 3:"), "\(run.out)")
        #expect(Self.presencesLine(run).contains("declares entities"), "\(run.out)")
    }

    /// An entity reference left undefined because the DTD is external (never loaded) is refused, not read as empty.
    @Test func entityReferenceWithExternalDTDIsRefused() throws {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE Export SYSTEM "export.dtd">
        <Export>
        <Session code="LYO-2401"><Participant email="a@x.fr"><Profil>&profil;</Profil></Participant></Session>
        </Export>

        """
        let (run, _, _) = try Self.run(xml, "external-dtd")
        #expect(run.code == 1)
        #expect(Self.presencesLine(run).contains("UNREADABLE") && Self.presencesLine(run).contains("entity reference &profil;"), "\(run.out)")
    }

    /// Ten bytes of garbage after the root's end tag: every record before it is read (2 of 72 were
    /// lost), and the file is reported.
    @Test func trailingGarbageLosesNothing() throws {
        let sample = try SampleCopy("garbage")
        let path = sample.input("presences_saint-etienne_2024-2025.xml")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("garbage!!\n".utf8))
        try handle.close()
        let result = try PipelineRun.execute(pipelinePath: sample.pipeline, options: RunOptions(outputFolder: sample.out))
        let presences = try #require(result.summary.sources.first { $0.name == "presences-saint-etienne" })
        #expect(presences.tally.read == 72)
        #expect(presences.unreadable.first?.contains("after the end of the root element") == true, "\(presences.unreadable)")
    }
}

/// ODK submissions: one broken instance is that instance's reject; the others are read.
@Suite("ODK instances", .serialized)
struct ODKRobustnessTests {
    static func instances(_ folder: String, count: Int) throws {
        try FileManager.default.createDirectory(atPath: "\(folder)/instances", withIntermediateDirectories: true)
        for i in 0..<count {
            let text = """
            <?xml version="1.0"?>
            <candidats id="declic_candidats" version="3"><parcours><candidat>C\(i)</candidat><etape>Mise en relation</etape>\
            <date>2025-0\(1 + i % 8)-10</date><territoire>Lyon</territoire></parcours><meta><instanceID>uuid:\(i)</instanceID></meta></candidats>

            """
            try text.write(toFile: "\(folder)/instances/\(String(format: "%03d", i)).xml", atomically: true, encoding: .utf8)
        }
    }

    static func run(_ folder: String) throws -> RunResult {
        let pipeline = try XMLEquivalenceTests.pipeline(sources: """
          - name: candidats
            kind: pathway
            format: odk
            path: \(folder)/instances
            columns: {candidate: parcours/candidat, event: parcours/etape, date: parcours/date, territory: parcours/territoire}

        """)
        try pipeline.write(toFile: "\(folder)/p.yml", atomically: true, encoding: .utf8)
        return try PipelineRun.execute(pipelinePath: "\(folder)/p.yml", options: RunOptions(outputFolder: "\(folder)/out"))
    }

    /// One truncated instance among 13: 12 read, one reject naming that file (all 13 were dropped,
    /// and the first file was named).
    @Test func truncatedInstanceIsItsOwnReject() throws {
        let folder = Paths.scratch("odk-broken")
        try Self.instances(folder, count: 13)
        let broken = "\(folder)/instances/007.xml"
        let text = try String(contentsOfFile: broken, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try Self.run(folder)
        let candidats = try #require(result.summary.sources.first { $0.name == "candidats" })
        #expect(candidats.tally.read == 13 && candidats.tally.accepted == 12 && candidats.tally.rejected == 1, "\(candidats.tally)")
        #expect(candidats.unreadable.isEmpty, "\(candidats.unreadable)")
        let rejects = try String(contentsOfFile: "\(folder)/out/rejects.csv", encoding: .utf8)
        let line = rejects.split(separator: "\n").first { $0.contains("xml_malformed") }.map(String.init) ?? ""
        #expect(line.hasPrefix("candidats,instances/007.xml"), "\(rejects)")
    }

    /// Garbage after one instance's root: that instance is read, the garbage is reported.
    @Test func trailingGarbageInAnInstance() throws {
        let folder = Paths.scratch("odk-garbage")
        try Self.instances(folder, count: 5)
        let path = "\(folder)/instances/002.xml"
        try (try String(contentsOfFile: path, encoding: .utf8) + "garbage!!\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Self.run(folder)
        let candidats = try #require(result.summary.sources.first { $0.name == "candidats" })
        #expect(candidats.tally.accepted == 5, "\(candidats.tally)")
        let rejects = try String(contentsOfFile: "\(folder)/out/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("candidats,instances/002.xml"), "\(rejects)")
    }
}
