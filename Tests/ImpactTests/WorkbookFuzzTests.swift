import Foundation
import Testing
import TestSupport
@testable import IngestWorkbook
@testable import IngestXML

/// Mutated workbooks (seeded, so every run tries the same ones): each is read to its end or refused
/// with a WorkbookError — no other error, no crash, no hang.
@Suite("Mutated workbooks", .needsCorpora)
struct WorkbookFuzzTests {
    /// A small deterministic generator (LCG), so failures reproduce.
    struct Seeded {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
    }

    static let corpus = Paths.corpus("spreadsheets-calamine/files")

    /// Reads every sheet; true when read, false when refused; any other error fails the test.
    static func read(_ bytes: [UInt8], name: String) -> Bool {
        let path = temporaryFile(bytes, name: name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try Workbook(path: path).readAll { _, _ in }
            return true
        } catch is WorkbookError {
            return false
        } catch {
            Issue.record("\(name): \(type(of: error)) \(error)")
            return false
        }
    }

    /// Bytes flipped anywhere in the package (directory, headers, deflate data), and truncations.
    @Test(arguments: ["issues.xlsx", "issues.ods", "richtext-namespaced.xlsx", "merged_range.xlsx", "date_1904.xlsx"])
    func flippedBytes(_ file: String) throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: "\(Self.corpus)/\(file)")))
        var random = Seeded(state: UInt64(file.utf8.count))
        let clock = ContinuousClock.now
        var refused = 0
        for round in 0..<80 {
            var bytes = original
            if round % 8 == 7 {
                bytes = Array(bytes.prefix(random.next(bytes.count)))
            } else {
                for _ in 0...random.next(8) { bytes[random.next(bytes.count)] ^= UInt8(1 + random.next(255)) }
            }
            if !Self.read(bytes, name: file) { refused += 1 }
        }
        #expect(refused > 0 && refused < 80, "\(refused) of 80 refused")
        #expect(ContinuousClock.now - clock < .seconds(20))
    }

    /// The XML parts themselves mutated, re-packed uncompressed with correct CRCs: the XML readers
    /// meet broken markup, odd numbers, huge repeat counts and stray references.
    @Test(arguments: ["issues.xlsx", "issues.ods", "inlineStr_cdata.xlsx", "number_rows_repeated.ods"])
    func mutatedXML(_ file: String) throws {
        let archive = try ZIPArchive(path: "\(Self.corpus)/\(file)")
        var parts: [(String, [UInt8])] = []
        for entry in archive.entries {
            parts.append((entry.name, try Self.contents(of: entry, in: archive)))
        }
        let pieces: [[UInt8]] = ["<", ">", "\"", "&", "999999999999", "-1", "A1048577", "XFE1", "<c r=\"B1\" t=\"s\"><v>77</v></c>",
                                 "table:number-columns-repeated=\"2147483647\"", "<![CDATA[", "_xD800_", "t=\"d\"", "</row>"].map { Array($0.utf8) }
        #expect(Self.read(Self.storedZIP(parts), name: file), "the re-packed original reads")
        let targets = parts.indices.filter { ["sheet", "content.xml", "sharedStrings"].contains(where: parts[$0].0.contains) }
        var random = Seeded(state: UInt64(file.utf8.count) &* 31)
        let clock = ContinuousClock.now
        var read = 0
        for _ in 0..<120 {
            let target = targets[random.next(targets.count)]
            let mutated = parts.indices.map { i -> (String, [UInt8]) in
                let (name, data) = parts[i]
                guard i == target, !data.isEmpty else { return (name, data) }
                var bytes = data
                for _ in 0...random.next(2) {
                    let at = random.next(bytes.count)
                    let piece = pieces[random.next(pieces.count)]
                    if random.next(2) == 0 { bytes.insert(contentsOf: piece, at: at) } else {
                        bytes.replaceSubrange(at..<min(bytes.count, at + piece.count), with: piece)
                    }
                }
                return (name, bytes)
            }
            if Self.read(Self.storedZIP(mutated), name: file) { read += 1 }
        }
        // Both outcomes occur: the mutations reach the XML readers rather than all failing on the package.
        #expect(read > 0 && read < 120, "\(read) of 120 read")
        #expect(ContinuousClock.now - clock < .seconds(30))
    }

    static func contents(of entry: ZIPEntry, in archive: ZIPArchive) throws -> [UInt8] {
        let input = try ZIPEntryInput(archive: archive, entry: entry)
        var out: [UInt8] = []
        var buffer = [CChar](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { input.read(into: $0.baseAddress!, count: $0.count) }
            if n <= 0 { return out }
            out += buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }
        }
    }

    /// A ZIP of stored (uncompressed) entries, written by hand; the entry named `brokenCRC` gets a wrong CRC-32.
    static func storedZIP(_ entries: [(String, [UInt8])], brokenCRC: String? = nil) -> [UInt8] {
        var out: [UInt8] = [], directory: [UInt8] = []
        func le(_ v: Int, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        for (name, data) in entries {
            let crc = Int(crc32(data) ^ (name == brokenCRC ? 1 : 0)), nameBytes = Array(name.utf8)
            let common = le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) + le(data.count, 4) + le(data.count, 4) + le(nameBytes.count, 2) + le(0, 2)
            directory += le(0x0201_4B50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(out.count, 4) + nameBytes
            out += le(0x0403_4B50, 4) + common + nameBytes + data
        }
        return out + directory + le(0x0605_4B50, 4) + le(0, 4) + le(entries.count, 2) + le(entries.count, 2)
            + le(directory.count, 4) + le(out.count, 4) + le(0, 2)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
