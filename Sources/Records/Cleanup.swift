#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What must go if the process is interrupted (SIGINT, SIGTERM): temporary spill folders, an
/// uncommitted staging folder. Their owners register a removal while the thing exists, and make
/// changes to it inside `critical`, so an interruption never races a half-made change.
public enum Cleanup {
    /// A registered removal, for `unregister`.
    public struct Token: Hashable, Sendable { let id: Int }

    private struct Registry {
        var next = 0
        var actions: [Int: @Sendable () -> Void] = [:]
    }

    private static let registry = Mutex(Registry())
    /// Held around changes to registered things, and by `interrupt` until the process exits.
    private static let gate = Gate()

    /// Registers `action`, run if the process is interrupted before `unregister`.
    public static func register(_ action: @escaping @Sendable () -> Void) -> Token {
        registry.withLock { r in
            r.next += 1
            r.actions[r.next] = action
            return Token(id: r.next)
        }
    }

    public static func unregister(_ token: Token) {
        _ = registry.withLock { $0.actions.removeValue(forKey: token.id) }
    }

    /// Runs `body` so that an interruption happens before or after it, never during it.
    public static func critical<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        gate.lock()
        defer { gate.unlock() }
        return try body()
    }

    /// Waits for the running critical section, runs every registered removal, and keeps the gate
    /// closed: nothing registered changes after this (the caller is about to exit).
    public static func interrupt() {
        gate.lock()
        let actions = registry.withLock { Array($0.actions.values) }
        for action in actions { action() }
    }

    /// Removes `path` and, if it is a folder, everything below it (no symbolic link is followed).
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            if let dir = opendir(path) {
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for name in names { removeTree("\(path)/\(name)") }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

/// A plain mutex whose lock may be taken by one thread and never given back (the interrupted process exits holding it).
private final class Gate: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() {
        // Recursive: a critical section may call code that opens another.
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
}
