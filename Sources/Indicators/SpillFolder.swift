import Foundation
import Records

/// The temporary folder of one run's sorted runs: `impact-participations.<pid>.XXXXXX` under TMPDIR,
/// holding `owner.lock`, locked (flock) while the process lives. Removed when the runs are merged,
/// on SIGINT/SIGTERM (`Cleanup`), and — after a crash or kill -9 — by the next run (`removeStale`),
/// which knows the owner is gone because the lock is free.
final class SpillFolder: @unchecked Sendable {
    // Unchecked: made and removed by the aggregating thread; the cleanup closure only removes paths.
    static let prefix = "impact-participations."
    let path: String
    private var lock: Int32
    private var token: Cleanup.Token?

    init(base: String) throws(SpillError) {
        var template = Array("\(base)/\(Self.prefix)\(getpid()).XXXXXX".utf8CString)
        // Made, locked and registered for removal in one critical section: a signal between making
        // the folder and registering it left the folder behind (the interruption test, under load).
        let made: (path: String, lock: Int32, token: Cleanup.Token)? = Cleanup.critical {
            guard let path = mkdtemp(&template).map({ String(cString: $0) }) else { return nil }
            let lock = open("\(path)/owner.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            if lock >= 0 { _ = flock(lock, LOCK_EX | LOCK_NB) }
            return (path, lock, Cleanup.register { Cleanup.removeTree(path) })
        }
        guard let made else { throw SpillError(path: base, operation: "create a folder in") }
        (path, lock, token) = (made.path, made.lock, made.token)
    }

    deinit { remove() }

    /// Removes the folder and whatever is left in it.
    func remove() {
        guard let token else { return }
        Cleanup.unregister(token)
        self.token = nil
        Cleanup.removeTree(path)
        if lock >= 0 { close(lock) }
        lock = -1
    }

    /// Removes the spill folders under `base` left by runs that died: owned by this user, and
    /// whose owner's lock is free (or, without a lock file, whose pid is gone).
    static func removeStale(in base: String) {
        // glob(3), not a listing of TMPDIR: /tmp may hold tens of thousands of entries.
        var found = glob_t()
        defer { globfree(&found) }
        guard glob("\(base)/\(prefix)*", 0, nil, &found) == 0 else { return }
        let names = (0..<Int(found.gl_pathc)).compactMap { found.gl_pathv[$0].map { String(cString: $0) } }.map { ($0 as NSString).lastPathComponent }
        for name in names where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: ".")
            guard parts.count == 2, let pid = Int32(parts[0]), pid != getpid() else { continue }
            let folder = "\(base)/\(name)"
            var info = stat()
            guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { continue }
            let fd = open("\(folder)/owner.lock", O_RDWR | O_CLOEXEC | O_NOFOLLOW)
            if fd >= 0 {
                let free = flock(fd, LOCK_EX | LOCK_NB) == 0
                close(fd)
                guard free else { continue }
            } else if kill(pid, 0) == 0 || errno != ESRCH {
                continue  // no lock yet: the owner may be making it
            }
            Cleanup.removeTree(folder)
        }
    }
}

/// Spill folders left by runs that died.
public enum SpillFolders {
    /// Removes the spill folders under TMPDIR (else /tmp) whose owner is gone; call when a run starts.
    public static func removeStale() {
        SpillFolder.removeStale(in: FileManager.default.temporaryDirectory.path)
    }
}
