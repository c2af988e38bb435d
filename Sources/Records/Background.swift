import Dispatch
import Synchronization

/// One piece of work run on a global dispatch queue while the caller does another (the indicator
/// stage pairs the survey answers beside the reach figures; the write stage renders the two
/// indicator tables beside the report).
public final class Background<Value: Sendable>: Sendable {
    private let pending: Mutex<(@Sendable () -> Value)?>
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init(_ work: @escaping @Sendable () -> Value) {
        pending = Mutex(work)
        DispatchQueue.global().async { [self] in
            // The work and what it captured are released before `wait` returns (so memory it held
            // is free when the caller goes on), not when the queue drops the block.
            let value: Value = {
                guard let work = pending.withLock({ $0.take() }) else { preconditionFailure("Background work run twice") }
                return work()
            }()
            result.withLock { $0 = value }
            done.signal()
        }
    }

    /// The work's value, once it has finished (waits for it; once only: the value is handed over).
    public func wait() -> Value {
        join()
        guard let value = result.withLock({ $0.take() }) else { preconditionFailure("Background.wait() called twice") }
        return value
    }

    /// Waits for the work to finish, leaving its value (on a path that will not use it: an error).
    public func join() {
        done.wait()
        done.signal()  // for whoever waits next
    }
}

/// Data-parallel loops whose result does not depend on how they were split.
public enum Parallel {
    /// `body` over `0..<count` cut into `parts` contiguous ranges, run on the machine's cores as they
    /// come free (by default four a core, so that a core done early takes another); their results
    /// concatenated in range order: the same as `body(0..<count)` for any `body` that treats its
    /// items independently.
    public static func map<T: Sendable>(_ count: Int, parts: Int? = nil, _ body: @Sendable (Range<Int>) -> [T]) -> [T] {
        let parts = max(1, min(parts ?? (Cores.available > 1 ? 4 * Cores.available : 1), count))
        guard parts > 1 else { return count > 0 ? body(0..<count) : [] }
        let results = Mutex<[[T]]>(Array(repeating: [], count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let values = body((count * part / parts)..<(count * (part + 1) / parts))
            results.withLock { $0[part] = values }
        }
        return results.withLock { $0.flatMap { $0 } }
    }
}
