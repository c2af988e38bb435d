import Foundation
import Testing
import TestSupport
@testable import IngestXML
@testable import Ingest
@testable import Pipeline
import Records

/// XML through libxml2 against ../shared/corpora: benign files read to their records, hostile ones refused.
@Suite("XML corpora", .serialized, .needsCorpora)
struct XMLTests {
    static let defused = Paths.corpus("xml-attacks-defusedxml")
    static let phpXML = Paths.corpus("spreadsheetml-phpspreadsheet/tests-data-Reader-Xml")
    static let odk = Paths.corpus("odk-onadata/transportation")

    /// Reads every node of a file; returns the error, if any, and how long it took.
    func drain(_ path: String) -> (error: XMLReadError?, seconds: Double) {
        let clock = ContinuousClock()
        var failure: XMLReadError?
        let elapsed = clock.measure {
            do {
                let reader = try XMLStreamReader(path: path)
                while try reader.read() {}
            } catch let e as XMLReadError { failure = e } catch { failure = XMLReadError(file: path, line: -1, column: 0, message: "\(error)") }
        }
        return (failure, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test(arguments: ["xmlbomb.xml", "xmlbomb2.xml", "quadratic.xml", "external.xml", "external_file.xml", "cyclic.xml"])
    func hostileDefusedFilesAreRefused(file: String) {
        let (error, seconds) = drain("\(Self.defused)/\(file)")
        #expect(error != nil, "\(file) was read")
        #expect(error?.message.isEmpty == false)
        #expect(seconds < 2, "\(file) took \(seconds) s")
    }

    @Test(arguments: ["XEETestInvalidSimpleXML.xml", "XEETestInvalidUTF-16.xml", "XEETestInvalidUTF-16BE.xml", "XEETestInvalidUTF-16LE.xml",
                      "XEETestInvalidUTF-7-single-quote.xml", "XEETestInvalidUTF-7-whitespace.xml", "XEETestInvalidUTF-7.xml",
                      "XEETestInvalidUTF-7_DoubleEncoded.xml", "XEETestInvalidUTF-8.xml", "CorruptedXmlFile.xml",
                      // HTML named entities (&Tau;…) that XML does not define: malformed, reported, not guessed.
                      "issue.2157.small.xml"])
    func hostileOrBrokenSpreadsheetFilesAreRefused(file: String) {
        let (error, seconds) = drain("\(Self.phpXML)/\(file)")
        #expect(error != nil, "\(file) was read")
        #expect((error?.line ?? 0) >= 0)
        #expect(seconds < 2)
    }

    /// Tabs before `<?xml` (PhpSpreadsheet issue 2157) are tolerated: the reader gets past them.
    @Test func leadingWhiteSpaceBeforeTheDeclarationIsTolerated() throws {
        let error = drain("\(Self.phpXML)/issue.2157.small.xml").error
        #expect(error?.message.contains("Entity 'Tau' not defined") == true)
        #expect((error?.line ?? 0) > 1)
    }

    @Test(arguments: ["XEETestValidUTF-16.xml", "XEETestValidUTF-16BE.xml", "XEETestValidUTF-16LE.xml",
                      "XEETestValidUTF-8-single-quote.xml", "XEETestValidUTF-8-whitespace.xml", "XEETestValidUTF-8.xml"])
    func benignProbesLoad(file: String) throws {
        #expect(drain("\(Self.phpXML)/\(file)").error == nil)
        var texts: [String] = []
        try PartnerXMLTable(recordPath: "/root", xpaths: ["normalize-space(.)"], namespaces: [:])
            .read(path: "\(Self.phpXML)/\(file)") { texts.append($0.values[0]) }
        #expect(texts == ["test: Valid"])
    }

    /// defusedxml's benign controls, a DOCTYPE with an external DTD (never fetched) and one with element declarations.
    @Test func benignDefusedFilesReadToTheirRecords() throws {
        for file in ["simple.xml", "simple-ns.xml"] {
            var rows: [[String]] = []
            try PartnerXMLTable(recordPath: "/root/element", xpaths: ["@key", "."], namespaces: [:])
                .read(path: "\(Self.defused)/\(file)") { rows.append($0.values) }
            #expect(rows == [["value", "text"], ["", "text"]], "\(file)")
        }
        var body: [String] = []
        try PartnerXMLTable(recordPath: "/html/body", xpaths: ["."], namespaces: [:]).read(path: "\(Self.defused)/dtd.xml") { body.append($0.values[0]) }
        #expect(body == ["text"])
        var nodes: [String] = []
        try PartnerXMLTable(recordPath: "/test/node", xpaths: ["."], namespaces: [:]).read(path: "\(Self.defused)/dtd_element.xml") { nodes.append($0.values[0]) }
        #expect(nodes == ["A test"])
        for file in ["schema-include.xsd", "xalan_exec.xsl", "xalan_write.xsl"] {
            #expect(drain("\(Self.defused)/\(file)").error == nil, "\(file): read as plain data, never executed")
        }
    }

    func sheet(_ path: String, _ worksheet: String? = nil) throws -> [Int: [String]] {
        var rows: [Int: [String]] = [:]
        try SpreadsheetMLTable(worksheet: worksheet).read(path: path) { record in
            #expect(record.path.hasPrefix("Worksheet \""))  // one path per sheet; the row number is the index
            if let n = record.index { rows[n] = record.values }
        }
        return rows
    }

    /// SpreadsheetML rows share their sheet's path (one place per sheet for the attendance lines, not
    /// one per row); a reject still names the row as before, and the line.
    @Test func spreadsheetMLRowLabel() {
        let location = RecordLocation(source: "s", line: 12, path: "Worksheet \"Réponses\"", index: 4)
        #expect(location.recordLabel == "Worksheet \"Réponses\" row 4 (line 12)")
        #expect(RecordLocation(source: "s", line: 0, path: "Worksheet \"R\"", index: 9).recordLabel == "Worksheet \"R\" row 9")
    }

    /// PhpSpreadsheet's SpreadsheetML template: the values its upstream tests expect.
    @Test func spreadsheetMLTemplate() throws {
        let path = Paths.corpus("spreadsheetml-phpspreadsheet/samples-templates/excel2003.xml")
        let sample = try sheet(path)
        #expect(sample[1]?[0] == "Test String 1")
        #expect(sample[4]?[0] == "Test with (\") in string")
        #expect(sample[11]?[0] == "1.5")
        #expect(sample[10]?[0].hasPrefix("1960-12-19") == true)  // a DateTime cell: ISO text the date parser reads
        #expect(try sheet(path, "Report Data")[4]?[0] == "BCD")
        #expect(throws: XMLReadError.self) { try sheet(path, "Absent") }
    }

    @Test func spreadsheetMLInLatin1() throws {
        let rows = try sheet("\(Self.phpXML)/excel2003.iso8859-1.xml")
        #expect(rows.values.flatMap { $0 }.contains { $0.unicodeScalars.contains { $0.value > 127 && $0.value < 256 } })
    }

    /// A row index of 999,999,999 allocates nothing; a cell index that large is refused.
    @Test func hugeIndexesDoNotExhaustMemory() throws {
        let rows = try sheet("\(Self.phpXML)/x5j6.dontuse")
        #expect(rows[1] == ["test1"])
        #expect(throws: XMLReadError.self) { try sheet("\(Self.phpXML)/x5j6.b.dontuse") }
    }

    @Test(arguments: ["ArrayFormula.xml", "PageSetup.xml", "bug4669.xml", "datavalidations.wholerow.xml", "datavalidations.xml",
                      "hyperlinkbase.xml", "issue.3658.xml", "issue.4448.xml", "issue.850.xml", "splits.xml",
                      "SecurityScannerWithCallbackExample.xml", "sec-w24f.dontuse"])
    func otherSpreadsheetFilesRead(file: String) throws {
        #expect(drain("\(Self.phpXML)/\(file)").error == nil)
    }

    static let odkColumns = ["meta/instanceID", "transport/available_transportation_types_to_referral_facility",
                             "transport/loop_over_transport_types_frequency/ambulance/frequency_to_referral_facility",
                             "transport/loop_over_transport_types_frequency/bicycle/frequency_to_referral_facility",
                             "transport/loop_over_transport_types_frequency/taxi/frequency_to_referral_facility",
                             "transport/available_transportation_types_to_referral_facility_other"]

    /// The four instances of upstream's expected export give its values (non-relevant "n/a" is empty here;
    /// select_multiple stays one space-separated value, which upstream expands to True/False columns).
    @Test func odkInstancesMatchTheExpectedExport() throws {
        let expected = try records("\(Self.odk)/transportation.csv")
        let header = expected[0]
        let files = ["19-05-36", "19-05-49", "19-06-01", "19-06-14"].map { "\(Self.odk)/instances/transport_2011-07-25_\($0)/transport_2011-07-25_\($0).xml" }
        var read: [String: [String]] = [:]
        try ODKInstances(paths: Self.odkColumns).read(files: files, emit: { read[$0.values[0]] = $0.values }, duplicate: { _ in Issue.record("no duplicate expected") }, broken: { Issue.record("\($0.message)") })
        #expect(read.count == 4)
        for row in expected.dropFirst() {
            func value(_ column: String) -> String { row[header.firstIndex(of: column) ?? 0] }
            let mine = try #require(read[value("meta/instanceID")])
            for (i, column) in Self.odkColumns.enumerated().dropFirst(2) {
                #expect(mine[i] == (value(column) == "n/a" ? "" : value(column)), "\(column)")
            }
            let chosen = Set(mine[1].split(separator: " ").map(String.init))
            for choice in ["ambulance", "bicycle", "taxi", "other"] {
                #expect(value("transport/available_transportation_types_to_referral_facility/\(choice)") == (chosen.contains(choice) ? "True" : "False"))
            }
        }
    }

    /// The whole folder: an edit's deprecatedID drops the original, a resubmitted id keeps the later file.
    @Test func odkResubmissionsAndEdits() throws {
        let files = (FileManager.default.enumerator(atPath: "\(Self.odk)/instances")?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".xml") }.sorted().map { "\(Self.odk)/instances/\($0)" }
        var kept: [String] = [], dropped: [String] = []
        try ODKInstances(paths: ["meta/instanceID"]).read(files: files, emit: { kept.append($0.values[0]) }, duplicate: { dropped.append($0.values[0]) }, broken: { Issue.record("\($0.message)") })
        #expect(files.count == 10)
        #expect(kept.count == 8 && dropped.count == 2)
        #expect(!kept.contains("uuid:5b2cc313-fc09-437e-8149-fcd32f695d41"))
        #expect(kept.contains("uuid:6b2cc313-fc09-437e-8139-fcd32f695d41"))
        #expect(Set(kept).count == kept.count)
    }

    /// `impact preview` on XML: kind, record path, records; --json prints them as arrays.
    @Test func previewOfXML() throws {
        let text = try Pipeline.Preview.text(path: "\(Self.defused)/simple.xml", rows: 5)
        #expect(text.contains("format: XML (partner XML)"))
        #expect(text.contains("record path (most repeated element; set it as xml.record): /root/element"))
        var json = ""
        try Pipeline.Preview.json(path: Paths.corpus("spreadsheetml-phpspreadsheet/samples-templates/excel2003.xml")) { json += $0 }
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String]])
        #expect(rows.first?.first == "Test String 1")
    }
}
