import Foundation
import Testing
import TestSupport
@testable import IngestWorkbook
@testable import IngestXML

/// A cell as the corpus's expected JSON writes it.
enum CorpusCell: Decodable, Equatable, CustomStringConvertible {
    case null, bool(Bool), number(Double), text(String)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let n): return "\(n)"
        case .text(let t): return "\"\(t)\""
        }
    }
}

/// `../shared/corpora/spreadsheets-calamine` (84 workbooks from calamine's regression suite): every
/// file with an expected JSON reads to the same cells; the hostile ones are refused or read in
/// seconds; none crashes or hangs.
///
/// Comparison (the corpus README): numbers numerically, dates by their ISO text, trailing empty
/// cells and rows dropped, `""` and null alike. Where the reference reader (openpyxl, pandas' odf
/// engine) differs from what a spreadsheet shows, its text is brought to the spreadsheet's:
/// - a date cell is a datetime there (`2021-01-01T00:00:00`): a date-only format reads `2021-01-01` here;
/// - a `[h]:mm:ss` duration is a Python timedelta there (`10 days, 15:10:10`): `255:10:10` here;
/// - `_x000D_` escapes are left encoded there; decoded here, as ECMA-376 (22.9.2.19) says;
/// - an ODS time is read from its displayed text there (`10:10:10.12`): from its value here (`10:10:10.123`);
/// - minimal_package.xlsx keeps its styles at the package root, where openpyxl does not look: its
///   `mm\/dd\/yy` cells are serial numbers there, dates here (compared through the serial).
@Suite("Workbook corpus (calamine)", .needsCorpora)
struct WorkbookCorpusTests {
    static let folder = Paths.corpus("spreadsheets-calamine")
    static let expected: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/expected")) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }()

    /// Every sheet of `file` as typed cells, trailing empties dropped.
    static func read(_ path: String) throws -> [String: [[CorpusCell]]] {
        let workbook = try Workbook(path: path)
        var sheets: [Int: [[CorpusCell]]] = [:]
        let names = try workbook.readAll { position, row in
            var rows = sheets[position] ?? []
            while rows.count < row.number - 1 { rows.append([]) }
            var cells: [CorpusCell] = []
            for i in row.columns.indices {
                while cells.count < Int(row.columns[i]) { cells.append(.null) }
                let text = row.text(i)
                switch row.kinds[i] {
                case .number: cells.append(Double(text).map(CorpusCell.number) ?? .text("unparsable \(text)"))
                case .boolean: cells.append(.bool(text == "TRUE"))
                case .text, .date, .error: cells.append(.text(text))
                }
            }
            rows.append(cells)
            sheets[position] = rows
        }
        var result: [String: [[CorpusCell]]] = [:]
        for (i, name) in names.enumerated() { result[name] = normalised(sheets[i + 1] ?? [], ours: true) }
        return result
    }

    /// Empty text as null, trailing nulls and empty rows dropped, dates and escapes in one notation.
    static func normalised(_ rows: [[CorpusCell]], ours: Bool) -> [[CorpusCell]] {
        var out = rows.map { row -> [CorpusCell] in
            var cells = row.map { cell -> CorpusCell in
                guard case .text(let t) = cell else { return cell }
                if t.isEmpty { return .null }
                return .text(ours ? timeText(t) : timeText(referenceText(t)))
            }
            while cells.last == .null { cells.removeLast() }
            return cells
        }
        while out.last?.isEmpty == true { out.removeLast() }
        return out
    }

    /// The reference reader's text brought to what a spreadsheet shows (see the suite's comment).
    static func referenceText(_ t: String) -> String {
        var bytes = Array(t.utf8)
        CellText.decodeEscapes(&bytes, from: 0)
        var text = String(decoding: bytes, as: UTF8.self)
        // "10 days, 15:10:10" → "255:10:10"
        if let comma = text.range(of: " days, ") ?? text.range(of: " day, "), let days = Int(text[..<comma.lowerBound]) {
            let clock = text[comma.upperBound...].split(separator: ":")
            if clock.count == 3, let h = Int(clock[0]) { text = "\(days * 24 + h):\(clock[1]):\(clock[2])" }
        }
        return text
    }

    /// Clock fractions without trailing zeros (`10:10:10.120000` and `10:10:10.12` alike).
    static func timeText(_ t: String) -> String {
        if t.hasSuffix("T00:00:00"), t.count == 19 { return String(t.prefix(10)) }
        guard t.contains(":"), let dot = t.lastIndex(of: "."), t[t.index(after: dot)...].allSatisfy(\.isNumber) else { return t }
        var text = t
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Cells equal under the suite's rules: a clock time equal to the reference's precision, a date
    /// equal to the reference's serial number where `serialDates`.
    static func same(_ ours: [CorpusCell], _ reference: [CorpusCell], serialDates: Bool) -> Bool {
        guard ours.count == reference.count else { return false }
        return zip(ours, reference).allSatisfy { a, b in
            switch (a, b) {
            case (.text(let x), .text(let y)) where x.contains(":") && y.contains(":"): return x.hasPrefix(y)
            case (.text(let x), .number(let serial)) where serialDates:
                return CellText.serialDate(serial, kind: .date, date1904: false) == x
            default: return a == b
            }
        }
    }

    @Test(arguments: expected)
    func readsAsExpected(_ expectedFile: String) throws {
        let name = String(expectedFile.dropLast(".json".count))
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/expected/\(expectedFile)"))
        let expected = try JSONDecoder().decode([String: [[CorpusCell]]].self, from: data).mapValues { Self.normalised($0, ours: false) }
        let ours = try Self.read("\(Self.folder)/files/\(name)")
        if expected.isEmpty {
            // strict_iso_paths.xlsx: the reference found no sheet in a Strict OOXML package; see below.
            return
        }
        #expect(Set(ours.keys) == Set(expected.keys), "\(name): sheets")
        for (sheet, rows) in expected {
            let mine = ours[sheet] ?? []
            #expect(mine.count == rows.count, "\(name) \(sheet): \(mine.count) rows, expected \(rows.count)")
            for (i, (a, b)) in zip(mine, rows).enumerated() where !Self.same(a, b, serialDates: name == "minimal_package.xlsx") {
                Issue.record("\(name) \(sheet) row \(i + 1): \(a) ≠ expected \(b)")
            }
        }
    }

    /// A Strict OOXML package (other namespaces and relationship types): read all the same.
    @Test func strictOOXML() throws {
        let ours = try Self.read("\(Self.folder)/files/strict_iso_paths.xlsx")
        #expect(!ours.isEmpty)
        #expect(ours.values.contains { !$0.isEmpty })
    }

    /// Encrypted and damaged packages are refused with one line saying what to do, in under 5 s.
    @Test(arguments: [
        ("pass_protected.xlsx", "protégé par mot de passe"),
        ("pass_protected.ods", "protégé par mot de passe"),
        ("issue252.xlsx", "damaged ZIP package"),
    ])
    func refused(_ file: String, _ reason: String) throws {
        let clock = ContinuousClock.now
        let error = #expect(throws: WorkbookError.self) { _ = try Self.read("\(Self.folder)/files/\(file)") }
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
        #expect(ContinuousClock.now - clock < .seconds(5))
    }

    /// A huge declared dimension and a billion repeated cells: done in seconds, memory bounded.
    @Test(arguments: ["issue_174.xlsx", "issue_594_dos.ods"])
    func hostileFinishesQuickly(_ file: String) throws {
        let clock = ContinuousClock.now
        do {
            _ = try Self.read("\(Self.folder)/files/\(file)")
        } catch let error as WorkbookError {
            #expect(error.description.contains("refused"))
        }
        #expect(ContinuousClock.now - clock < .seconds(5))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #expect(usage.ru_maxrss < 2_000 << 10)  // kB
    }

    /// Valid workbooks without a shared-strings part.
    @Test(arguments: ["issue_419.xlsx", "issue_530.xlsx"])
    func withoutSharedStrings(_ file: String) throws {
        let sheets = try Self.read("\(Self.folder)/files/\(file)")
        #expect(sheets.values.contains { !$0.isEmpty })
    }

    /// Every file of the corpus is read or refused with a WorkbookError: no other error, no crash.
    @Test func everyFileEndsCleanly() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Self.folder)/files").sorted()
        #expect(files.count == 84)
        for file in files {
            do { _ = try Self.read("\(Self.folder)/files/\(file)") } catch is WorkbookError {}
        }
    }
}
