/// The text encodings partner exports arrive in.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case iso885915 = "iso-8859-15"
    case utf16le = "utf-16le"
    case utf16be = "utf-16be"
    case utf32le = "utf-32le"
    case utf32be = "utf-32be"

    /// From a pipeline-file name; ISO-8859-1 is read as Windows-1252 (its superset, as browsers do).
    public init?(declared: String) {
        switch declared.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "iso-8859-1", "latin-1", "latin1": self = .windows1252
        case "iso-8859-15", "latin-9": self = .iso885915
        case "utf-16le": self = .utf16le
        case "utf-16be": self = .utf16be
        case "utf-32le": self = .utf32le
        case "utf-32be": self = .utf32be
        default: return nil
        }
    }

    /// True for the encodings whose bytes the CSV reader reads directly (ASCII-compatible).
    var isByteCompatible: Bool { self == .utf8 || self == .windows1252 || self == .iso885915 }
}

/// What detection found at the start of a file.
public struct EncodingGuess: Equatable, Sendable {
    public let encoding: TextEncoding
    /// Bytes of byte-order mark to skip.
    public let bomLength: Int
    /// How it was decided, for `preview`: "BOM", "declared", "valid UTF-8", "not UTF-8"…
    public let evidence: String
}

/// Guesses the encoding from a file's first bytes.
public enum EncodingDetector {
    /// BOM first; then NUL-byte patterns (BOM-less UTF-16/32); then UTF-8 validity, else Windows-1252.
    public static func detect(_ head: [UInt8]) -> EncodingGuess {
        func starts(_ prefix: [UInt8]) -> Bool { head.count >= prefix.count && Array(head.prefix(prefix.count)) == prefix }
        if starts([0xEF, 0xBB, 0xBF]) { return .init(encoding: .utf8, bomLength: 3, evidence: "UTF-8 BOM") }
        if starts([0xFF, 0xFE, 0, 0]) { return .init(encoding: .utf32le, bomLength: 4, evidence: "UTF-32LE BOM") }
        if starts([0, 0, 0xFE, 0xFF]) { return .init(encoding: .utf32be, bomLength: 4, evidence: "UTF-32BE BOM") }
        if starts([0xFF, 0xFE]) { return .init(encoding: .utf16le, bomLength: 2, evidence: "UTF-16LE BOM") }
        if starts([0xFE, 0xFF]) { return .init(encoding: .utf16be, bomLength: 2, evidence: "UTF-16BE BOM") }
        if let wide = wideEncoding(head) { return .init(encoding: wide, bomLength: 0, evidence: "NUL-byte pattern") }
        switch utf8Validity(head) {
        case .ascii: return .init(encoding: .utf8, bomLength: 0, evidence: "ASCII only")
        case .valid: return .init(encoding: .utf8, bomLength: 0, evidence: "valid UTF-8")
        case .invalid: return .init(encoding: .windows1252, bomLength: 0, evidence: "not UTF-8")
        }
    }

    /// UTF-16/32 without BOM: text made mostly of ASCII has zero bytes at fixed offsets.
    static func wideEncoding(_ head: [UInt8]) -> TextEncoding? {
        let n = min(head.count, 4096) & ~3
        guard n >= 4 else { return nil }
        var zeros = [0, 0, 0, 0]
        for i in 0..<n where head[i] == 0 { zeros[i & 3] += 1 }
        let quarter = n / 4
        func most(_ count: Int) -> Bool { count * 10 >= quarter * 7 }
        if most(zeros[1]) && most(zeros[2]) && most(zeros[3]) && !most(zeros[0]) { return .utf32le }
        if most(zeros[0]) && most(zeros[1]) && most(zeros[2]) && !most(zeros[3]) { return .utf32be }
        if most(zeros[1]) && most(zeros[3]) && !most(zeros[0]) { return .utf16le }
        if most(zeros[0]) && most(zeros[2]) && !most(zeros[1]) { return .utf16be }
        return nil
    }

    enum Validity { case ascii, valid, invalid }

    /// Whether the bytes are UTF-8. A file with valid multi-byte sequences and a few stray bytes is
    /// UTF-8 with mistakes (those fields fall back to Windows-1252 one by one); only invalid bytes
    /// and no valid sequence means Windows-1252. A sequence cut by the end of the sample is ignored.
    static func utf8Validity(_ bytes: [UInt8]) -> Validity {
        var i = 0
        var valid = 0
        var invalid = 0
        let n = bytes.count
        scan: while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            if b >= 0xC2 && b <= 0xDF { length = 2 } else if b >= 0xE0 && b <= 0xEF { length = 3 } else if b >= 0xF0 && b <= 0xF4 { length = 4 } else {
                invalid += 1
                i += 1
                continue
            }
            if i + length > n { break }
            for j in 1..<length where bytes[i + j] & 0xC0 != 0x80 {
                invalid += 1
                i += 1
                continue scan
            }
            valid += 1
            i += length
        }
        if valid == 0 && invalid == 0 { return .ascii }
        return valid >= invalid ? .valid : .invalid
    }
}

/// Turns field bytes into text.
enum FieldDecoder {
    /// Decodes `bytes`; for UTF-8, bytes that are not valid UTF-8 are read as Windows-1252 and
    /// `fellBack` is set, so a file mixing encodings loses nothing.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, as encoding: TextEncoding, fellBack: inout Bool) -> String {
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        switch encoding {
        case .windows1252: return singleByte(bytes, table: cp1252High)
        case .iso885915: return singleByte(bytes, table: iso885915High)
        default:
            if let s = String(validating: bytes, as: UTF8.self) { return s }
            fellBack = true
            return singleByte(bytes, table: cp1252High)
        }
    }

    /// Whether `decode` would set `fellBack` for `bytes`, without building the text.
    static func fallsBack(_ bytes: UnsafeBufferPointer<UInt8>, as encoding: TextEncoding) -> Bool {
        guard encoding != .windows1252, encoding != .iso885915, bytes.contains(where: { $0 >= 0x80 }) else { return false }
        var parser = Unicode.UTF8.ForwardParser()
        var input = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &input) {
            case .valid: continue
            case .emptyInput: return false
            case .error: return true
            }
        }
    }

    static func singleByte(_ bytes: UnsafeBufferPointer<UInt8>, table: [UInt32]) -> String {
        var scalars = String.UnicodeScalarView()
        for b in bytes {
            let value = b < 0x80 ? UInt32(b) : table[Int(b) - 0x80]
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    /// Code points of bytes 0x80–0xFF in Windows-1252 (undefined bytes keep their C1 value).
    static let cp1252High: [UInt32] = {
        let c1: [UInt32] = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039,
                            0x152, 0x8D, 0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                            0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178]
        return c1 + (0xA0...0xFF).map { UInt32($0) }
    }()

    static let iso885915High: [UInt32] = {
        var table = (0x80...0xFF).map { UInt32($0) }
        let changes: [Int: UInt32] = [0xA4: 0x20AC, 0xA6: 0x160, 0xA8: 0x161, 0xB4: 0x17D, 0xB8: 0x17E,
                                      0xBC: 0x152, 0xBD: 0x153, 0xBE: 0x178]
        for (byte, scalar) in changes { table[byte - 0x80] = scalar }
        return table
    }()
}
