import CZlib
import Foundation
import IngestXML
import ZIPFoundation
#if canImport(Glibc)
import Glibc
#endif

/// A bounded hand-off of inflated blocks from the inflating thread to libxml2's read callback.
final class BlockQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var blocks: [Data] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Producer: waits for room; false when the reader has gone (stop inflating).
    func put(_ block: Data) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while blocks.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        blocks.append(block)
        condition.broadcast()
        return true
    }

    /// Producer: no more blocks, with the error that stopped it if any.
    func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next block; nil at the end (then `failure` says whether it was an error).
    func take() -> Data? {
        condition.lock()
        defer { condition.unlock() }
        while blocks.isEmpty && !finished { condition.wait() }
        guard !blocks.isEmpty else { return nil }
        condition.broadcast()
        return blocks.removeFirst()
    }

    var error: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Consumer: stop the producer and wait until it has finished.
    func cancelAndWait() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}

/// One entry of a package, inflated on its own thread while libxml2 parses what came before
/// (push-style inflate, pull-style parser): at most `queued` blocks of `blockSize` wait in memory.
/// The entry's size is counted as it inflates: more bytes than declared, a declared size or ratio
/// past `WorkbookLimits`, a wrong CRC-32 or a deflate stream that runs past the entry end the read.
final class ZIPEntryInput: XMLInput {
    static let blockSize = 256 << 10
    static let queued = 4
    private let queue = BlockQueue(capacity: ZIPEntryInput.queued)
    private var block = Data()
    private var offset = 0
    private var stopped: (any Error)?
    private var started = false

    init(archive: ZIPArchive, entry: ZIPEntry) throws {
        try Self.checkDeclared(entry, in: archive)
        let start = try archive.dataOffset(of: entry)
        let queue = self.queue
        let thread = Thread {
            do {
                try Self.inflate(entry, from: archive, at: start, into: queue)
                queue.finish(nil)
            } catch {
                queue.finish(error)
            }
        }
        thread.start()
        started = true
    }

    deinit { if started { queue.cancelAndWait() } }

    var failure: (any Error)? { stopped }

    func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32 {
        while offset == block.count {
            guard let next = queue.take() else {
                stopped = queue.error
                return stopped == nil ? 0 : -1
            }
            block = next
            offset = 0
        }
        let n = min(count, block.count - offset)
        block.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memcpy(buffer, base + offset, n) }
        }
        offset += n
        return Int32(n)
    }

    /// Reads what the parser left (it stops at the document's end, before the input's): the part's
    /// size and CRC-32 are checked only once all of it is inflated.
    func drain() throws {
        while queue.take() != nil {}
        if let error = queue.error { throw error }
        block = Data()
        offset = 0
    }

    /// Refuses an entry before reading it: encrypted, an unknown method, or declared sizes past the limits.
    private static func checkDeclared(_ entry: ZIPEntry, in archive: ZIPArchive) throws {
        if entry.isEncrypted {
            throw WorkbookError(file: archive.path, message: "the ZIP entry '\(entry.name)' is encrypted; save the workbook without a password (enregistrez-le sans mot de passe)")
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw WorkbookError(file: archive.path, message: "the ZIP entry '\(entry.name)' uses compression method \(entry.method), which spreadsheets do not write; save the workbook again")
        }
        try checkSize(entry.uncompressedSize, of: entry, in: archive, counted: false)
    }

    static func checkSize(_ size: UInt64, of entry: ZIPEntry, in archive: ZIPArchive, counted: Bool) throws {
        let what = counted ? "inflates to" : "declares"
        if size > WorkbookLimits.maximumPartBytes {
            throw WorkbookError(file: archive.path, message: "the ZIP entry '\(entry.name)' \(what) more than \(WorkbookLimits.maximumPartBytes >> 30) GiB; refused as a possible ZIP bomb")
        }
        if size > WorkbookLimits.ratioFloor, size / max(entry.compressedSize, 1) > WorkbookLimits.maximumRatio {
            throw WorkbookError(file: archive.path, message: "the ZIP entry '\(entry.name)' \(what) \(size >> 20) MiB from \(entry.compressedSize >> 10) KiB (more than \(WorkbookLimits.maximumRatio) times); refused as a possible ZIP bomb")
        }
    }

    /// Inflates (or copies) the entry's bytes into `queue`, counting and checking them.
    private static func inflate(_ entry: ZIPEntry, from archive: ZIPArchive, at start: UInt64, into queue: BlockQueue) throws {
        var produced: UInt64 = 0
        var read: UInt64 = 0
        struct Cancelled: Error {}
        // CRC-32 through zlib: ZIPFoundation's own on Linux is a byte-at-a-time loop (6.6 % of a workbook run's samples).
        var sum: UInt32 = 0
        let consume: (Data) throws -> Void = { data in
            produced += UInt64(data.count)
            sum = data.withUnsafeBytes { UInt32(CZlib.crc32(UInt(sum), $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt($0.count))) }
            if produced > entry.uncompressedSize {
                if entry.uncompressedSize < WorkbookLimits.ratioFloor {
                    throw archive.damaged("'\(entry.name)' inflates to more than the \(entry.uncompressedSize) bytes it declares")
                }
                throw WorkbookError(file: archive.path, message: "the ZIP entry '\(entry.name)' inflates beyond the \(entry.uncompressedSize >> 20) MiB it declares; refused as a possible ZIP bomb")
            }
            if !data.isEmpty, !queue.put(data) { throw Cancelled() }
        }
        // Exactly `chunk` bytes per call (ZIPFoundation's inflate loop hands zlib a full chunk
        // whatever the provider returned), zero-padded past the entry; a call after it is an error.
        let provide: (Int64, Int) throws -> Data = { _, chunk in
            guard read < entry.compressedSize else { throw archive.damaged("the compressed data of '\(entry.name)' does not end where its entry does") }
            let n = Int(min(UInt64(chunk), entry.compressedSize - read))
            var data = Data(try archive.bytes(at: start + read, count: n))
            read += UInt64(n)
            if n < chunk { data.append(Data(count: chunk - n)) }
            return data
        }
        let crc: UInt32
        do {
            if entry.method == 0 {
                while read < entry.compressedSize {
                    try consume(try provide(0, Int(min(UInt64(blockSize), entry.compressedSize - read))))
                }
            } else {
                _ = try Data.decompress(size: Int64(entry.compressedSize), bufferSize: blockSize, skipCRC32: true,
                                        provider: provide, consumer: consume)
            }
            crc = sum
        } catch is Cancelled {
            return
        } catch let error as WorkbookError {
            throw error
        } catch {
            // zlib refused the stream (ZIPFoundation's CompressionError).
            throw archive.damaged("the compressed data of '\(entry.name)' is corrupt")
        }
        guard produced == entry.uncompressedSize else {
            throw archive.damaged("'\(entry.name)' inflates to \(produced) bytes, not the \(entry.uncompressedSize) it declares")
        }
        guard crc == entry.crc else { throw archive.damaged("the CRC-32 of '\(entry.name)' does not match its content") }
    }
}
