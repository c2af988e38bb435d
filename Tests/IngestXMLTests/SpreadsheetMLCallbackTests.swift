import Foundation
import Testing
import TestSupport
@testable import IngestXML

/// SpreadsheetML rows read through libxml2's SAX2 callbacks (`readWithoutTree`) are those the
/// reader and each row's tree give (`readWithReader`): values, columns, widths, row numbers, paths,
/// refusals, and the same error after the same rows. Lines are compared apart: a row's is now
/// where its start tag ends; the reader gave its parser's line, which can be further on.
@Suite("SpreadsheetML rows without a tree")
struct SpreadsheetMLCallbackTests {
    struct Outcome: Equatable {
        var rows: [String] = []
        var lines: [Int] = []
        var error: String?
        var errorLine: Int?
        /// nil: the file has a DOCTYPE, left to the reader.
        var handled = true
    }

    static func read(_ path: String, worksheet: String? = nil, maxRowBytes: Int = 1_000_000, callbacks: Bool) -> Outcome {
        var outcome = Outcome()
        let table = SpreadsheetMLTable(worksheet: worksheet)
        do {
            let emit: (XMLRecord) throws -> Void = { record in
                outcome.rows.append("\(record.path) #\(record.index ?? -1) w\(record.width ?? -1) \(record.columns ?? []) \(record.values) \(record.refusal ?? "")")
                outcome.lines.append(record.line)
            }
            if callbacks {
                outcome.handled = try table.readWithoutTree(path: path, maxRowBytes: maxRowBytes, emit: emit)
            } else {
                try table.readWithReader(path: path, maxRowBytes: maxRowBytes, emit: emit)
            }
        } catch let error as XMLReadError {
            outcome.error = error.message
            outcome.errorLine = error.line
        } catch {
            outcome.error = "\(error)"
        }
        return outcome
    }

    /// Both readings of `path`: the same rows and error; lines never later than the reader's. One
    /// difference is allowed, where the reader ends in an error: it parses ahead of the rows it
    /// gives (512-byte chunks), so an error can stop it before rows that end before the error; the
    /// callbacks give every such row (and stop at the sheet's end, before an error further on). The
    /// reader's rows then begin the callbacks', and the rows it did not give end before the error.
    static func compare(_ path: String, worksheet: String? = nil, maxRowBytes: Int = 1_000_000, label: String) {
        let callbacks = read(path, worksheet: worksheet, maxRowBytes: maxRowBytes, callbacks: true)
        guard callbacks.handled else { return }
        let reader = read(path, worksheet: worksheet, maxRowBytes: maxRowBytes, callbacks: false)
        if let error = reader.error {
            #expect(callbacks.error == nil || callbacks.error == error, "\(label): \(callbacks.error ?? "") against \(error)")
            // No error through the callbacks: theirs stopped at the sheet's end, before the reader's error.
            if callbacks.error == nil, let errorLine = reader.errorLine, errorLine > 0 {
                #expect(callbacks.lines.allSatisfy { $0 <= errorLine }, "\(label): rows past the reader's error")
            }
            #expect(callbacks.rows.starts(with: reader.rows), "\(label): the reader's rows begin the callbacks'")
            for line in callbacks.lines.dropFirst(reader.rows.count) { #expect(line <= reader.errorLine ?? 0, "\(label): a row past the error") }
            // libxml2's errors at the same line; a refused cell's at its row's (where the row starts, now).
            let cellError = ["cell index", "cells beyond", "merged cells"].contains { error.hasPrefix($0) }
            if callbacks.error != nil, let errorLine = reader.errorLine, errorLine > 0 {
                #expect(cellError ? (callbacks.errorLine ?? 0) <= errorLine : callbacks.errorLine == errorLine, "\(label): the error's line \(callbacks.errorLine ?? -1) against \(errorLine): \(error)")
            }
            return
        }
        #expect(callbacks.rows == reader.rows, "\(label): \(callbacks.rows.count) rows against \(reader.rows.count)")
        #expect(callbacks.error == nil, "\(label): \(callbacks.error ?? "") where the reader read every row")
        for (own, parsers) in zip(callbacks.lines, reader.lines) { #expect(own <= parsers, "\(label): line \(own) after the reader's \(parsers)") }
    }

    @Test("every SpreadsheetML file of the corpora, every worksheet asked for by name and none, as the reader reads it")
    func corpora() throws {
        guard Paths.corporaAvailable else { return }
        let folder = Paths.corpus("spreadsheetml-phpspreadsheet")
        let files = (FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".xml") || $0.hasSuffix(".dontuse") }.sorted()
        #expect(files.count > 30)
        var read = 0
        for file in files {
            let path = "\(folder)/\(file)"
            Self.compare(path, label: file)
            Self.compare(path, maxRowBytes: 300, label: "\(file), rows of 300 bytes")
            for name in ["Sheet1", "Feuil1", "Sample Sheet", "nothing"] { Self.compare(path, worksheet: name, label: "\(file) \(name)") }
            if Self.read(path, callbacks: true).handled { read += 1 }
        }
        #expect(read > 25, "most files read without the tree")
    }

    static let head = "<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\" xmlns:o=\"urn:other\" xmlns:html=\"http://www.w3.org/TR/REC-html40\">\n"

    @Test("awkward sheets read the same", arguments: [
        ("two sheets", "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row></Table></Worksheet><Worksheet ss:Name=\"B\"><Table><Row><Cell><Data>b</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("indices and spans", "<Worksheet ss:Name=\"A\"><Table><Row ss:Index=\"3\"><Cell ss:Index=\"2\"><Data>x</Data></Cell><Cell ss:MergeAcross=\"3\"><Data>y</Data></Cell><Cell/><Cell><Data>z</Data></Cell></Row><Row ss:Index=\"2\"><Cell ss:Index=\"+4\" o:Index=\"9\"><Data>w</Data></Cell><Cell ss:Index=\"x\"><Data>v</Data></Cell><Cell ss:MergeAcross=\"-2\"><Data>u</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("rich text and references", "<Worksheet ss:Name=\"R&amp;D\"><Table><Row><Cell><ss:Data ss:Type=\"String\"><html:B>bold</html:B> &amp; <html:Font>plain</html:Font>&#233;</ss:Data></Cell><Cell><Data><![CDATA[<x>]]></Data><Data>second</Data></Cell><Cell><o:Data>other</o:Data><Data>data</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("rows inside other elements", "<Worksheet ss:Name=\"A\"><o:Wrap><Table><Row><Cell><Data>in</Data></Cell><o:Cell><Data>no</Data></o:Cell><Row><Cell><Data>nested</Data></Cell></Row></Row></Table></o:Wrap><Row><Cell><Data>direct</Data></Cell></Row></Worksheet><Row><Cell><Data>outside</Data></Cell></Row></Workbook>"),
        ("index out of range", "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row><Row><Cell ss:Index=\"16385\"><Data>b</Data></Cell></Row><Row><Cell><Data>c</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("merge out of range", "<Worksheet ss:Name=\"A\"><Table><Row><Cell ss:Index=\"16380\" ss:MergeAcross=\"10\"><Data>a</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("columns beyond", "<Worksheet ss:Name=\"A\"><Table><Row><Cell ss:Index=\"16384\"><Data>a</Data></Cell><Cell><Data>b</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("malformed in a row", "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row><Row><Cell><Data>b</Cell></Row></Table></Worksheet></Workbook>"),
        ("malformed after the sheet", "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row></Table></Worksheet><Worksheet><x></Worksheet></Workbook>"),
        ("undeclared entity", "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row><Row><Cell><Data>&nope;</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("empty sheet", "<Worksheet ss:Name=\"A\"/><Worksheet ss:Name=\"B\"><Table><Row><Cell><Data>b</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("no sheet", "<o:Other/></Workbook>"),
        ("trailing", "<Worksheet ss:Name=\"B\"><Table><Row><Cell><Data>b</Data></Cell></Row></Table></Worksheet></Workbook><junk/>"),
        ("large row", "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row>\n<Row>\n<Cell><Data>" + String(repeating: "x", count: 500) + "</Data></Cell></Row><Row><Cell><Data>c</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("a genuine refusal attribute", "<Worksheet ss:Name=\"A\"><Table><Row impact-refused-record=\"bytes:9\"><Cell><Data>a</Data></Cell></Row></Table></Worksheet></Workbook>"),
        // Undeclared prefixes are a namespace error only: the tree names the node "z9:Cell", which is no cell.
        ("undeclared prefixes", "<Worksheet ss:Name=\"A\"><Table><Row z9:Index=\"7\"><z9:Cell><z9:Data>a</z9:Data></z9:Cell><Cell><Data>b</Data></Cell><Cell><z9:Data>c</z9:Data><Data>d</Data></Cell></Row><z9:Row><Cell><Data>e</Data></Cell></z9:Row></Table></Worksheet></Workbook>"),
        ("huge span", "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row><Row><Cell ss:MergeAcross=\"9223372036854775807\"><Data>a</Data></Cell><Cell><Data>b</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("huge row index", "<Worksheet ss:Name=\"A\"><Table><Row ss:Index=\"9223372036854775807\"><Cell><Data>a</Data></Cell></Row><Row><Cell><Data>b</Data></Cell></Row></Table></Worksheet></Workbook>"),
        ("accents composed apart", "<Worksheet ss:Name=\"Pre\u{301}sences\"><Table><Row><Cell><Data>a</Data></Cell></Row></Table></Worksheet></Workbook>"),
    ])
    func awkward(name: String, body: String) throws {
        let path = Paths.scratch("sheets") + "/\(name.replacingOccurrences(of: " ", with: "-")).xml"
        try Data((Self.head + body).utf8).write(to: URL(fileURLWithPath: path))
        for worksheet in [nil, "A", "B", "R&D", "Pr\u{E9}sences"] {
            Self.compare(path, worksheet: worksheet, maxRowBytes: 300, label: "\(name) \(worksheet ?? "first")")
            Self.compare(path, worksheet: worksheet, label: "\(name) \(worksheet ?? "first")")
        }
        #expect(Self.read(path, callbacks: true).handled)
        if name == "accents composed apart" { #expect(Self.read(path, worksheet: "Pr\u{E9}sences", callbacks: true).rows.count == 1, "the names compared as Swift compares them") }
        if name == "huge span" { #expect(Self.read(path, callbacks: true).error == "merged cells beyond column 16384; refused") }
        if name == "huge row index" { #expect(Self.read(path, callbacks: true).rows.count == 2) }
        if name == "undeclared prefixes" { #expect(Self.read(path, callbacks: true).rows == ["Worksheet \"A\" #1 w2 [0, 1] [\"b\", \"d\"] "]) }
    }

    /// The C callbacks read `ss:Index` and `ss:MergeAcross` with an integer rule of their own: the
    /// same texts as `SpreadsheetMLTests.integersAsSwiftReadsThem`, in each place, read both ways.
    @Test("indices and spans are read as the reader reads them, whatever their text")
    func indexTexts() throws {
        var texts = ["", "+", "-", "0", "-0", "+7", "-1", "12", " 1", "1 ", "1_000", "\u{663}", "0x10", "9223372036854775807",
                     "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "00042", "+-1", "1e3", "16384", "16385"]
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("0123456789+- a")
        for _ in 0..<60 {
            texts.append(String((0..<Int.random(in: 0...21, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "0" }))
        }
        let folder = Paths.scratch("sheet-integers")
        for (i, text) in texts.enumerated() {
            let row = "<Row><Cell><Data>a</Data></Cell></Row><Row ss:Index=\"\(text)\"><Cell ss:Index=\"\(text)\"><Data>b</Data></Cell>"
                + "<Cell ss:MergeAcross=\"\(text)\"><Data>c</Data></Cell><Cell><Data>d</Data></Cell></Row><Row><Cell><Data>e</Data></Cell></Row>"
            let path = "\(folder)/\(i).xml"
            try Data((Self.head + "<Worksheet ss:Name=\"A\"><Table>" + row + "</Table></Worksheet></Workbook>").utf8).write(to: URL(fileURLWithPath: path))
            let callbacks = Self.read(path, callbacks: true), reader = Self.read(path, callbacks: false)
            #expect(callbacks.handled && callbacks.rows == reader.rows && callbacks.error == reader.error, "'\(text)': \(callbacks) | \(reader)")
        }
    }

    @Test("a row's line is where its start tag ends; a DOCTYPE leaves the file to the reader")
    func linesAndDoctype() throws {
        let path = Paths.scratch("sheets") + "/lines.xml"
        try Data((Self.head + "<Worksheet ss:Name=\"A\">\n<Table>\n<Row>\n<Cell><Data>a</Data></Cell></Row>\n<Row\n ss:Index=\"4\"\n>\n<Cell><Data>b</Data></Cell>\n</Row>\n</Table>\n</Worksheet>\n</Workbook>\n").utf8)
            .write(to: URL(fileURLWithPath: path))
        let outcome = Self.read(path, callbacks: true)
        #expect(outcome.lines == [5, 9] && outcome.rows.count == 2)
        let doctype = Paths.scratch("sheets") + "/doctype.xml"
        try Data(("<?xml version=\"1.0\"?>\n<!DOCTYPE Workbook [<!ATTLIST Cell ss:Index CDATA \"3\">]>\n" + Self.head.dropFirst(22) + "<Worksheet ss:Name=\"A\"><Table><Row><Cell><Data>a</Data></Cell></Row></Table></Worksheet></Workbook>").utf8)
            .write(to: URL(fileURLWithPath: doctype))
        #expect(!Self.read(doctype, callbacks: true).handled)
        var columns: [[Int]] = []
        try SpreadsheetMLTable(worksheet: nil).read(path: doctype) { columns.append($0.columns ?? []) }
        #expect(columns == [[2]], "the DTD's default index, through the reader")
    }
}
