import Foundation
import Testing
import TestSupport
@testable import IngestXML

@Suite("SpreadsheetML rows")
struct SpreadsheetMLTests {
    /// Cell indices and spans are read from the bytes as `Int(_: String)` reads them: signs, empty,
    /// spaces, other digits, the range's edges and past them.
    @Test func integersAsSwiftReadsThem() {
        var texts = ["", "+", "-", "0", "-0", "+7", "-1", "12", " 1", "1 ", "1_000", "٣", "0x10", "9223372036854775807",
                     "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "00042", "+-1", "1e3"]
        var generator = SeededGenerator(seed: 5)
        let alphabet = Array("0123456789+- a")
        for _ in 0..<5_000 {
            texts.append(String((0..<Int.random(in: 0...21, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "0" }))
        }
        for text in texts {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { SpreadsheetMLTable.integer($0) } == Int(text), "\(text)")
        }
    }

    /// Rows read with names compared in place give what the attributes say: `ss:Index` skips,
    /// `MergeAcross` spans, attributes of another namespace ignored, cells without data skipped.
    @Test func indicesSpansAndNamespaces() throws {
        let xml = """
        <?xml version="1.0"?>
        <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:other">
         <Worksheet ss:Name="A"><Table>
          <Row><Cell><Data ss:Type="String">a</Data></Cell><Cell ss:MergeAcross="2"><Data ss:Type="String">b</Data></Cell><Cell><Data ss:Type="String">c</Data></Cell></Row>
          <Row ss:Index="5"><Cell ss:Index="3"><Data ss:Type="Number">3</Data></Cell><Cell o:Index="9"><Data ss:Type="String">d</Data></Cell><Cell/><Cell><Data ss:Type="String">e</Data></Cell></Row>
          <Row><Cell Index="7"><Data ss:Type="String">f</Data></Cell></Row>
         </Table></Worksheet>
        </Workbook>
        """
        let path = Paths.scratch("sheet") + "/sheet.xml"
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
        var rows: [(index: Int?, cells: [Int: String], width: Int?)] = []
        try SpreadsheetMLTable(worksheet: nil).read(path: path) { record in
            var cells: [Int: String] = [:]
            for (column, value) in record.values.enumerated() where !value.isEmpty { cells[column] = value }
            rows.append((record.index, cells, record.width))
        }
        #expect(rows.count == 3)
        #expect(rows[0].index == 1 && rows[0].cells == [0: "a", 1: "b", 4: "c"] && rows[0].width == 5)
        #expect(rows[1].index == 5 && rows[1].cells == [2: "3", 3: "d", 5: "e"] && rows[1].width == 6)
        // An unprefixed `Index` is in no namespace (a default namespace does not apply to attributes): ignored.
        #expect(rows[2].index == 6 && rows[2].cells == [0: "f"])
    }
}
