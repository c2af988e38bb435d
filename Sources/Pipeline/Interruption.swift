import Foundation
import Records
import Synchronization

/// SIGINT and SIGTERM: one line on stderr, the temporary files removed (spill folders, an
/// uncommitted staging folder: see `Cleanup`), exit 130 or 143. The previous outputs stay as they
/// were, since they are only replaced by a commit, which an interruption waits for.
///
/// The signals are blocked in every thread (the mask is set before any thread starts and threads
/// inherit it) and taken by `sigwait` on a thread of their own, where any code may run; nothing
/// runs inside an asynchronous signal handler.
public enum Interruption {
    /// Blocks SIGINT and SIGTERM and starts the thread that handles them; call first thing in `main`.
    public static func install() {
        var signals = Self.signals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let thread = Thread {
            var signals = Self.signals
            var caught: Int32 = 0
            while sigwait(&signals, &caught) != 0 {}
            Cleanup.interrupt()
            let line = Self.jsonLog.withLock { $0 }
                ? "{\"event\":\"error\",\"exit_code\":\(128 + caught),\"level\":\"error\",\"message\":\"interrupted: previous outputs kept\"}\n"
                : "impact: interrupted: previous outputs kept\n"
            _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            _exit(128 + caught)
        }
        thread.name = "impact.signals"
        thread.start()
    }

    /// Whether the interruption line is written as a JSON log line.
    public static func useJSONLog(_ json: Bool) { jsonLog.withLock { $0 = json } }

    private static let jsonLog = Mutex(false)

    private static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
