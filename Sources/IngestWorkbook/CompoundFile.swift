/// What the first bytes of a file say it is.
public enum FileSignature: Sendable, Equatable {
    /// A ZIP package (`.xlsx`, `.xlsm`, `.ods`, or any other ZIP).
    case zip
    /// An OLE compound file: a legacy `.xls` or a password-protected `.xlsx`.
    case compoundFile
    /// Anything else (text: CSV or XML).
    case other

    /// Looks at the first 8 bytes of `path` (`other` when it cannot be read: the reader will say why).
    public static func of(path: String) -> FileSignature {
        guard let head = try? ZIPArchive.head(of: path, count: 8), head.count == 8 else { return .other }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] { return .compoundFile }
        return .other
    }
}

/// An OLE compound file (CFB, MS-CFB): which streams its directory names, to say why it cannot be read.
enum CompoundFile {
    /// The one-line refusal for a compound file: encrypted workbook, legacy `.xls`, or other Office file.
    static func refusal(path: String) -> WorkbookError {
        let names = (try? streamNames(path: path)) ?? []
        if names.contains("EncryptedPackage") || names.contains("EncryptionInfo") {
            return WorkbookError.passwordProtected(path)
        }
        if names.contains("Workbook") || names.contains("Book") || names.isEmpty {
            return WorkbookError(file: path, message: "a legacy Excel 97–2003 workbook (.xls, BIFF), which this tool does not read: save it as .xlsx or CSV (enregistrez-le en .xlsx ou en CSV)")
        }
        return WorkbookError(file: path, message: "a legacy Office file (OLE compound file holding \(names.prefix(4).joined(separator: ", "))), not a workbook: export the data as .xlsx or CSV")
    }

    /// The names in the compound file's directory (the first 109 FAT sectors' reach, at most 4,096 entries).
    static func streamNames(path: String) throws -> [String] {
        let archive = try RawFile(path: path)
        let header = try archive.bytes(at: 0, count: 512)
        let shift = Int(header.u16(0x1E))
        guard (9...12).contains(shift) else { return [] }
        let sector = 1 << shift
        func offset(_ s: UInt32) -> UInt64 { UInt64(s + 1) << UInt64(shift) }
        // The FAT: sectors listed in the header's DIFAT (enough for the directory of any workbook).
        var fat: [UInt32] = []
        for i in 0..<min(Int(header.u32(0x2C)), 109) {
            let s = header.u32(0x4C + 4 * i)
            guard s < 0xFFFF_FFFA, let bytes = try? archive.bytes(at: offset(s), count: sector) else { break }
            fat += stride(from: 0, to: sector, by: 4).map { bytes.u32($0) }
        }
        var names: [String] = []
        var current = header.u32(0x30)
        var visited = Set<UInt32>()
        while current < 0xFFFF_FFFA, Int(current) < fat.count || fat.isEmpty, visited.insert(current).inserted, names.count < 4_096 {
            guard let bytes = try? archive.bytes(at: offset(current), count: sector) else { break }
            for entry in stride(from: 0, to: sector, by: 128) {
                let length = min(Int(bytes.u16(entry + 0x40)), 64)
                guard length >= 2 else { continue }
                let units = stride(from: entry, to: entry + length - 2, by: 2).map { bytes.u16($0) }
                names.append(String(decoding: units, as: UTF16.self))
            }
            guard Int(current) < fat.count else { break }
            current = fat[Int(current)]
        }
        return names
    }
}
