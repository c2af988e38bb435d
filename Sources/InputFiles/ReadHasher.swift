import Crypto
import Records
import Dispatch
import Synchronization

/// A file's SHA-256 and size, computed from the bytes a reader consumed.
public struct ReadDigest: Sendable, Equatable {
    public let sha256: [UInt8]
    public let size: Int

    /// The digest in lower-case hex, as the manifest writes it.
    public var hex: String { Self.hex(sha256) }

    /// Lower-case hex of digest bytes (`String(format:)` per byte cost 3 % of a run over 2,000 ODK files).
    public static func hex<D: Sequence<UInt8>>(_ digest: D) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Hashes a file as a reader consumes it, so a file read to its end needs no second pass for the
/// manifest's SHA-256 (the CSV chunk reader and libxml2's input callback both use it).
///
/// Past the first mebibyte, blocks are hashed in order on a helper thread: SHA-256 was 5 % of the
/// thread parsing a 250 MB partner-XML export (the XML ingest's bottleneck) while the other core
/// had room. At most 6 blocks wait (hashing runs at over 1 GB/s; room for a paused helper), so it adds
/// at most 7 MiB per file being read.
public final class ReadHasher {
    /// Bytes hashed per block on the helper thread (the XML reader reads blocks of this size).
    public static let blockSize = 1 << 20
    private var pending: [UInt8] = []
    private var worker: HashWorker?
    private var size = 0
    private var reachedEnd = false
    private var done: ReadDigest?

    public init() {}

    deinit { worker?.close() }

    /// Bytes just read (copied); an empty read is the end of the file.
    public func consumed(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { reachedEnd = true; return }
        ReadProgress.shared.add(bytes: bytes.count)
        size += bytes.count
        pending.append(contentsOf: bytes)
        if pending.count >= Self.blockSize { submit() }
    }

    /// A whole block just read, handed over without a copy; an empty block is the end of the file.
    public func consumed(block: [UInt8]) {
        guard !block.isEmpty else { reachedEnd = true; return }
        if pending.isEmpty && block.count >= Self.blockSize {
            ReadProgress.shared.add(bytes: block.count)
            size += block.count
            send(block)
        } else {
            block.withUnsafeBytes { consumed($0) }
        }
    }

    /// The read stopped short of a full buffer: the end of the file.
    public func reachedEndOfFile() { reachedEnd = true }

    /// SHA-256 and size of the whole file, once it was read to its end (nil before).
    public var digest: ReadDigest? {
        guard reachedEnd else { return nil }
        if let done { return done }
        var hasher: SHA256
        if let worker {
            if !pending.isEmpty { worker.send(pending) }
            hasher = worker.finish()
            self.worker = nil
        } else {
            hasher = SHA256()
            pending.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        pending = []
        let digest = ReadDigest(sha256: Array(hasher.finalize()), size: size)
        done = digest
        return digest
    }

    private func submit() {
        send(pending)
        pending = []
    }

    private func send(_ block: [UInt8]) {
        let worker = self.worker ?? HashWorker()
        self.worker = worker
        worker.send(block)
    }
}

/// A thread that hashes the blocks it is sent, in order, until closed.
final class HashWorker: Sendable {
    private let queue = Mutex<(blocks: [[UInt8]], closed: Bool)>(([], false))
    private let ready = DispatchSemaphore(value: 0)
    private let room = DispatchSemaphore(value: 6)  // blocks queued at most: the reader waits less on a paused hashing thread
    private let finished = DispatchSemaphore(value: 0)
    private let result = Mutex<SHA256?>(nil)

    init() {
        DispatchQueue(label: "impact.read-hasher").async { [self] in
            var hasher = SHA256()
            // One wake per block sent and one for `close`; each handles one block or ends the loop.
            while true {
                ready.wait()
                let (block, closed) = queue.withLock { q -> ([UInt8]?, Bool) in
                    q.blocks.isEmpty ? (nil, q.closed) : (q.blocks.removeFirst(), false)
                }
                if let block {
                    room.signal()
                    block.withUnsafeBytes { hasher.update(bufferPointer: $0) }
                } else if closed {
                    break
                }
            }
            result.withLock { $0 = hasher }
            finished.signal()
        }
    }

    /// Queues a block (waits while 6 are queued).
    func send(_ block: [UInt8]) {
        room.wait()
        queue.withLock { $0.blocks.append(block) }
        ready.signal()
    }

    /// No more blocks: the thread ends once the queued ones are hashed.
    func close() {
        queue.withLock { $0.closed = true }
        ready.signal()
    }

    /// Closes and waits for the hash of every block sent.
    func finish() -> SHA256 {
        close()
        finished.wait()
        return result.withLock { $0 } ?? SHA256()
    }
}
