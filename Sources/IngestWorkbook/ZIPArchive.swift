#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngestXML
import InputFiles
import Records

/// One file of a ZIP package, as its central directory describes it.
struct ZIPEntry: Sendable {
    let name: String
    let method: UInt16
    let flags: UInt16
    let crc: UInt32
    let compressedSize: UInt64
    let uncompressedSize: UInt64
    let localHeaderOffset: UInt64

    var isEncrypted: Bool { flags & 1 != 0 }
}

/// The central directory of a ZIP package (EOCD, ZIP64 records, entries), read with every offset
/// and count checked against the file.
///
/// Read here rather than through ZIPFoundation's `Archive`: its `extract` feeds inflate from the
/// file past the entry's end, and on Linux loops forever once the file ends inside an unfinished
/// deflate stream (a crafted 144-byte package never returned: Fixtures/hostile/hang.xlsx),
/// and it does not expose an entry's data offset to bound the read. Inflating still goes through
/// ZIPFoundation (`Data.decompress`), fed only the entry's own bytes (ZIPEntryInput).
final class ZIPArchive: @unchecked Sendable {
    let path: String
    let file: RawFile
    var size: UInt64 { file.size }
    /// Entries by lower-cased name (OPC part names are case-insensitive), and in directory order.
    private(set) var byName: [String: ZIPEntry] = [:]
    private(set) var entries: [ZIPEntry] = []
    /// Where the central directory starts: entry data must end before it.
    private(set) var directoryOffset: UInt64 = 0

    init(path: String) throws {
        self.path = path
        file = try RawFile(path: path)
        try readDirectory()
    }

    func entry(_ name: String) -> ZIPEntry? { byName[Self.key(name)] }

    /// The look-up key of a name: lower case, `/` separators (some Windows tools write `\`).
    static func key(_ name: String) -> String { name.replacing("\\", with: "/").lowercased() }

    func damaged(_ why: String) -> WorkbookError {
        WorkbookError(file: path, message: "damaged ZIP package (\(why)); open it in the spreadsheet and save it again")
    }

    /// `count` bytes at `offset`, or a damaged-package error when the file is shorter.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset <= size, UInt64(count) <= size - offset else { throw damaged("a record lies beyond the end of the file") }
        return try file.bytes(at: offset, count: count)
    }

    /// The first `count` bytes of a file (fewer when it is shorter).
    static func head(of path: String, count: Int) throws -> [UInt8] {
        let file = try RawFile(path: path)
        return try file.bytes(at: 0, count: Int(min(UInt64(count), file.size)))
    }

    private func readDirectory() throws {
        guard size >= 22 else { throw damaged("too short to be a ZIP file") }
        let tailLength = Int(min(size, 22 + 65_535))
        let tail = try bytes(at: size - UInt64(tailLength), count: tailLength)
        guard let end = (0...(tailLength - 22)).reversed().first(where: { tail.u32($0) == 0x0605_4B50 }) else {
            throw damaged("no end-of-directory record")
        }
        let endOffset = size - UInt64(tailLength) + UInt64(end)
        var count = UInt64(tail.u16(end + 10))
        var directorySize = UInt64(tail.u32(end + 12))
        var offset = UInt64(tail.u32(end + 16))
        guard tail.u16(end + 4) == 0 || tail.u16(end + 4) == 0xFFFF else { throw damaged("a multi-volume archive") }
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || offset == 0xFFFF_FFFF, endOffset >= 20 {
            // ZIP64: the locator just before the end record points at the 64-bit end record.
            let locator = try bytes(at: endOffset - 20, count: 20)
            guard locator.u32(0) == 0x0706_4B50 else { throw damaged("a ZIP64 size without its ZIP64 record") }
            let record = try bytes(at: locator.u64(8), count: 56)
            guard record.u32(0) == 0x0606_4B50 else { throw damaged("a ZIP64 locator pointing nowhere") }
            count = record.u64(32)
            directorySize = record.u64(40)
            offset = record.u64(48)
        }
        guard count <= UInt64(WorkbookLimits.maximumEntries), directorySize <= UInt64(WorkbookLimits.maximumDirectoryBytes) else {
            throw WorkbookError(file: path, message: "the ZIP package declares \(count) entries in \(directorySize) bytes of directory, beyond this tool's limits; refused")
        }
        guard offset <= endOffset, directorySize <= endOffset - offset else { throw damaged("the directory lies outside the file") }
        directoryOffset = offset
        let directory = try bytes(at: offset, count: Int(directorySize))
        var at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, directory.u32(at) == 0x0201_4B50 else { throw damaged("a broken directory entry") }
            let nameLength = Int(directory.u16(at + 28)), extraLength = Int(directory.u16(at + 30)), commentLength = Int(directory.u16(at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else { throw damaged("a directory entry past the directory's end") }
            let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            var compressed = UInt64(directory.u32(at + 20)), uncompressed = UInt64(directory.u32(at + 24)), local = UInt64(directory.u32(at + 42))
            // ZIP64 extra field: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = directory.u16(extra), length = Int(directory.u16(extra + 2))
                if id == 1 {
                    var field = extra + 4
                    let fieldEnd = min(extra + 4 + length, extraEnd)
                    func next(_ value: inout UInt64) {
                        guard value == 0xFFFF_FFFF, field + 8 <= fieldEnd else { return }
                        value = directory.u64(field)
                        field += 8
                    }
                    next(&uncompressed)
                    next(&compressed)
                    next(&local)
                }
                extra += 4 + length
            }
            try check(name)
            let entry = ZIPEntry(name: name, method: directory.u16(at + 10), flags: directory.u16(at + 8), crc: directory.u32(at + 16),
                                 compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: local)
            guard byName.updateValue(entry, forKey: Self.key(name)) == nil else {
                throw WorkbookError(file: path, message: "the ZIP package holds two entries named '\(name)'; refused as ambiguous")
            }
            entries.append(entry)
            at += 46 + nameLength + extraLength + commentLength
        }
    }

    /// Refuses names that climb out of the package or are absolute (path-traversal attempts).
    private func check(_ name: String) throws {
        let parts = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
        let drive = name.count >= 2 && name.dropFirst().first == ":"
        if parts.contains("..") || name.hasPrefix("/") || name.hasPrefix("\\") || drive || name.contains("\0") {
            throw WorkbookError(file: path, message: "the ZIP package has an entry named '\(name.prefix(80))', which points outside the package; refused (a workbook never does this)")
        }
    }

    /// Where an entry's data starts, once its local header is checked.
    func dataOffset(of entry: ZIPEntry) throws -> UInt64 {
        let header = try bytes(at: entry.localHeaderOffset, count: 30)
        guard header.u32(0) == 0x0403_4B50 else { throw damaged("no local header for '\(entry.name)'") }
        let start = entry.localHeaderOffset + 30 + UInt64(header.u16(26)) + UInt64(header.u16(28))
        guard start <= directoryOffset, entry.compressedSize <= directoryOffset - start else {
            throw damaged("the data of '\(entry.name)' runs into the directory")
        }
        return start
    }
}

/// A file read at offsets (pread: safe from the inflating thread and this one at once).
final class RawFile: @unchecked Sendable {
    let path: String
    let fd: Int32
    let size: UInt64

    init(path: String) throws {
        self.path = path
        // A regular file only: a FIFO would block the open, a device never end (`InputFile`).
        do { fd = try InputFile.open(path) } catch { throw WorkbookError(file: path, message: error.message) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw WorkbookError(file: path, message: "cannot read the file")
        }
        size = UInt64(info.st_size)
    }

    deinit { close(fd) }

    /// `count` bytes at `offset`; an error when the file ends before.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset <= size, UInt64(count) <= size - offset else {
            throw WorkbookError(file: path, message: "the file ends before offset \(offset + UInt64(count))")
        }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { pread(fd, $0 + done, count - done, off_t(offset) + off_t(done)) } ?? 0
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw WorkbookError(file: path, message: "cannot read the file") }
            done += n
        }
        ReadProgress.shared.add(bytes: count)
        return out
    }
}

extension Array where Element == UInt8 {
    func u16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
}
