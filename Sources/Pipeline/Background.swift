import Foundation
import Synchronization

/// One piece of work run on its own thread while the caller does another: the write stage renders
/// the two indicator tables beside the report (each about a fifth of a small national run's CPU).
final class Background<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            let value = work()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.start()
    }

    /// The work's value, once it has finished (waits for it; once only).
    func wait() -> Value {
        done.wait()
        guard let value = result.withLock({ $0.take() }) else { preconditionFailure("Background.wait() called twice") }
        return value
    }
}
