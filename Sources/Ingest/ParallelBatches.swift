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

/// Runs a producer on a background thread and consumes what it emits, in order, on this one (or
/// with workers in between): the only place the ingest starts threads for reading and mapping.
public enum ParallelBatches {
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

extension ParallelBatches {
    /// Batches `produce` emits on one thread, each turned into an output by one of `workers`
    /// threads (each with its own state, made by `makeWorker` on this thread), the outputs consumed
    /// on this thread in the order the batches were produced: mapping on every core while the
    /// consumer stays single-threaded, so what it sees is the one-thread order. An error of
    /// `produce` or `transform` is rethrown here after the outputs of every batch before it.
    /// `makeWorker` must return a new state each call, sharing nothing mutable: only its thread touches it.
    /// `emit` returns false once the consumer stopped (its error): `produce` should stop reading then.
    public static func run<Batch: Sendable, Worker, Output: Sendable>(workers: Int,
                                                                      produce: @escaping @Sendable (_ emit: (Batch) -> Bool) throws -> Void,
                                                                      worker makeWorker: () -> Worker,
                                                                      transform: @escaping @Sendable (_ worker: Worker, _ batch: Batch) throws -> Output,
                                                                      consume: (consuming Output) throws -> Void) throws {
        let count = max(1, workers)
        let pipe = OrderedPipe<Batch, Output>(window: window(workers: count))
        let threads = DispatchGroup()
        func start(_ body: @escaping @Sendable () -> Void) {
            threads.enter()
            let thread = Thread {
                body()
                threads.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        start {
            do { try produce { pipe.send($0) }; pipe.finish(nil) } catch { pipe.finish(error) }
        }
        for _ in 0..<count {
            let state = ProducerOwned(makeWorker())
            start {
                while let (number, batch) = pipe.take() {
                    pipe.deliver(number, Result { try transform(state.value, batch) })
                }
            }
        }
        // Every thread is waited for, even after an error here, so none outlives the call.
        defer { threads.wait() }
        do {
            // Handed over, not copied: the consumer may take it apart (`SourceMapper.keep`).
            while let output = try pipe.next() { try consume(consume output) }
        } catch {
            pipe.cancel()
            throw error
        }
    }
}

extension ParallelBatches {
    /// Batches between the producer and the consumer of `run(workers:…)` at most: room for the
    /// splitting thread to run ahead of a worker the scheduler paused (docs/performance.md).
    static func window(workers: Int) -> Int { 24 + 2 * max(1, workers) }
}

/// The hand-over behind `ParallelBatches.run(workers:…)`: batches numbered as produced, taken by
/// any worker, their outputs handed to the consumer by number. At most `window` batches are
/// between the producer and the consumer, so memory stays bounded whatever the file's size. One
/// semaphore per kind of wait, so a hand-over wakes only a thread that waits for it (a condition
/// broadcast woke every thread per batch: 0.4 CPU-s more at 700 MB).
private final class OrderedPipe<Batch: Sendable, Output: Sendable>: Sendable {
    private struct State {
        var batches: [Int: Batch] = [:]
        var outputs: [Int: Result<Output, any Error>] = [:]
        var produced = 0, taken = 0, consumed = 0
        var finished = false, cancelled = false
        var failure: (any Error)?
    }

    private let state = Mutex(State())
    /// Signalled per batch consumed (and once on cancelling): the producer's room.
    private let room: DispatchSemaphore
    /// Signalled per batch produced, and along the workers once there will be none.
    private let input = DispatchSemaphore(value: 0)
    /// Signalled per output delivered, and once when the producer finished.
    private let output = DispatchSemaphore(value: 0)

    init(window: Int) {
        // Raised from 0, not made at `window`: libdispatch traps when a semaphore is freed below its
        // initial value, as `room` is after a consumer's error.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<window { room.signal() }
    }

    /// Producer: waits for room, then hands over the next batch; false (the batch dropped) once
    /// the consumer stopped.
    func send(_ batch: Batch) -> Bool {
        if state.withLock({ $0.cancelled }) { return false }
        room.wait()
        let sent = state.withLock { s -> Bool in
            guard !s.cancelled else { return false }
            s.batches[s.produced] = batch
            s.produced += 1
            return true
        }
        if sent { input.signal() }
        return sent
    }

    /// Producer: no more batches (with the error that stopped it, if any).
    func finish(_ error: (any Error)?) {
        state.withLock { $0.finished = true; $0.failure = error }
        input.signal()
        output.signal()
    }

    /// Worker: the next batch to transform with its number; nil once there will be none.
    func take() -> (Int, Batch)? {
        while true {
            input.wait()
            let (next, done): ((Int, Batch)?, Bool) = state.withLock { s in
                if s.cancelled { return (nil, true) }
                if s.taken < s.produced, let batch = s.batches.removeValue(forKey: s.taken) {
                    s.taken += 1
                    return ((s.taken - 1, batch), false)
                }
                return (nil, s.finished)
            }
            if let next { return next }
            if done {
                input.signal()  // wakes the next worker, which finds the same
                return nil
            }
        }
    }

    /// Worker: batch `number`'s output, handed over: the worker keeps no reference to it once the
    /// consumer may take it (a consumer that takes an output apart would copy it otherwise).
    func deliver(_ number: Int, _ result: consuming Result<Output, any Error>) {
        var pending = Optional(consume result)
        state.withLock { $0.outputs[number] = pending.take() }
        output.signal()
    }

    /// Consumer: the next output in batch order, nil after the last; rethrows a worker's error in
    /// its batch's place, then the producer's after the last batch.
    func next() throws -> Output? {
        while true {
            let (next, end): (Result<Output, any Error>?, Result<Void, any Error>?) = state.withLock { s in
                if let result = s.outputs.removeValue(forKey: s.consumed) {
                    s.consumed += 1
                    return (result, nil)
                }
                guard s.finished, s.consumed == s.produced else { return (nil, nil) }
                return (nil, s.failure.map { .failure($0) } ?? .success(()))
            }
            if let next {
                room.signal()
                return try next.get()
            }
            if let end {
                try end.get()
                return nil
            }
            output.wait()
        }
    }

    /// Consumer: stops; batches still sent are dropped, and the workers stop after their current one.
    func cancel() {
        state.withLock { $0.cancelled = true; $0.batches.removeAll() }
        room.signal()
        input.signal()
    }
}

/// Hands a non-`Sendable` value to the thread that owns it in `ParallelBatches.run`: the producer,
/// or one worker of `run(workers:…)`.
///
/// Safe by protocol, not by type: that thread is the only one touching the value until it has
/// finished, and the caller reads it only after `run` returned (`run` waits for every thread).
final class ProducerOwned<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
