import Foundation
import Synchronization

/// A bounded hand-over of batches from a producing thread to the consuming loop, so reading and
/// mapping run on one core while de-duplication and aggregation run on the other.
final class BatchChannel<Element: Sendable>: Sendable {
    private struct State {
        var batches: [[Element]] = []
        var finished = false
        var failure: (any Error)?
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore

    init(capacity: Int) { room = DispatchSemaphore(value: capacity) }

    /// Producer: waits for room, then hands over a batch.
    func send(_ batch: [Element]) {
        room.wait()
        state.withLock { $0.batches.append(batch) }
        ready.signal()
    }

    /// Producer: no more batches (with the error that stopped it, if any).
    func finish(_ failure: (any Error)?) {
        state.withLock { $0.finished = true; $0.failure = failure }
        ready.signal()
    }

    /// Consumer: the next batch, nil at the end; rethrows the producer's error after its last batch.
    func receive() throws -> [Element]? {
        while true {
            ready.wait()
            let (batch, done, failure) = state.withLock { s -> ([Element]?, Bool, (any Error)?) in
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

/// Runs a producer on a background thread and consumes what it emits, in order, on this one: the
/// only place the ingest starts threads for reading and mapping.
public enum ParallelBatches {
    /// Three stages on three threads: `produce` emits batches on one, `transform` turns each batch
    /// into elements on a second, and `consume` takes the elements, in order, on this one.
    public static func run<Batch: Sendable, Element: Sendable>(produce: @escaping @Sendable (_ emit: (Batch) -> Void) throws -> Void,
                                                               transform: @escaping @Sendable (_ batch: Batch, _ emit: (Element) -> Void) throws -> Void,
                                                               consume: (Element) throws -> Void) throws {
        try run(produce: { (out: (Element) -> Void) in
            try run(batchSize: 1, produce: produce, consume: { batch in try transform(batch, out) })
        }, consume: consume)
    }

    /// Calls `consume` with every element `produce` emits, producing ahead on another thread.
    /// An error thrown by `produce` is rethrown here after the elements emitted before it.
    public static func run<Element: Sendable>(batchSize: Int = 2_048,
                                              produce: @escaping @Sendable (_ emit: (Element) -> Void) throws -> Void,
                                              consume: (Element) throws -> Void) throws {
        let channel = BatchChannel<Element>(capacity: 8)
        let thread = Thread {
            var batch: [Element] = []
            batch.reserveCapacity(batchSize)
            do {
                try produce { element in
                    batch.append(element)
                    if batch.count == batchSize {
                        channel.send(batch)
                        batch = []
                        batch.reserveCapacity(batchSize)
                    }
                }
                if !batch.isEmpty { channel.send(batch) }
                channel.finish(nil)
            } catch {
                if !batch.isEmpty { channel.send(batch) }
                channel.finish(error)
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        // Drain everything, even after a consumer error, so the producer never blocks forever.
        var consumerError: (any Error)?
        do {
            while let batch = try channel.receive() {
                guard consumerError == nil else { continue }
                do { for element in batch { try consume(element) } } catch { consumerError = error }
            }
        } catch {
            if consumerError == nil { throw error }
        }
        if let consumerError { throw consumerError }
    }
}

/// Hands a non-`Sendable` value to the producing thread of `ParallelBatches.run`.
///
/// Safe by protocol, not by type: the producer is the only one touching the value until its
/// channel is finished, and the consumer reads it only after `run` returned (the channel's
/// semaphores order the two).
final class ProducerOwned<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
