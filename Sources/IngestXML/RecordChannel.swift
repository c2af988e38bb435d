import Foundation
import Synchronization

/// A bounded hand-over of record batches from a parsing thread to the mapping loop, so libxml2's
/// parse and the mapping run on the machine's two cores at once.
final class RecordChannel: Sendable {
    private struct State {
        var batches: [[XMLRecord]] = []
        var finished = false
        var failure: XMLReadError?
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let ready = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore

    init(capacity: Int) {
        self.capacity = capacity
        room = DispatchSemaphore(value: capacity)
    }

    /// Producer: waits for room, then hands over a batch.
    func send(_ batch: [XMLRecord]) {
        room.wait()
        state.withLock { $0.batches.append(batch) }
        ready.signal()
    }

    /// Producer: no more batches (with the error that stopped the parse, if any).
    func finish(_ failure: XMLReadError?) {
        state.withLock { $0.finished = true; $0.failure = failure }
        ready.signal()
    }

    /// Consumer: the next batch, nil at the end; rethrows the producer's error after its last batch.
    func receive() throws -> [XMLRecord]? {
        while true {
            ready.wait()
            let (batch, done, failure) = state.withLock { s -> ([XMLRecord]?, Bool, XMLReadError?) in
                if !s.batches.isEmpty { return (s.batches.removeFirst(), false, nil) }
                return (nil, s.finished, s.failure)
            }
            if let batch {
                room.signal()
                return batch
            }
            if done {
                ready.signal()  // keep later calls from waiting
                if let failure { throw failure }
                return nil
            }
        }
    }
}

/// Reads records on a background thread and hands them over in batches (`read` runs there).
public enum ParallelRecords {
    /// Calls `consume` with every record `read` produces, parsing ahead on another thread.
    public static func run(batchSize: Int = 2_048, read: @escaping @Sendable (_ emit: (XMLRecord) throws -> Void) throws -> Void,
                           consume: (XMLRecord) throws -> Void) throws {
        let channel = RecordChannel(capacity: 8)
        let thread = Thread {
            var batch: [XMLRecord] = []
            batch.reserveCapacity(batchSize)
            do {
                try read { record in
                    batch.append(record)
                    if batch.count == batchSize {
                        channel.send(batch)
                        batch = []
                        batch.reserveCapacity(batchSize)
                    }
                }
                if !batch.isEmpty { channel.send(batch) }
                channel.finish(nil)
            } catch let error as XMLReadError {
                if !batch.isEmpty { channel.send(batch) }
                channel.finish(error)
            } catch {
                channel.finish(XMLReadError(file: "", line: 0, column: 0, message: "\(error)"))
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        // Drain everything, even after a consumer error, so the producer never blocks forever.
        var consumerError: Error?
        do {
            while let batch = try channel.receive() {
                guard consumerError == nil else { continue }
                do { for record in batch { try consume(record) } } catch { consumerError = error }
            }
        } catch {
            if consumerError == nil { throw error }
        }
        if let consumerError { throw consumerError }
    }
}
