import Foundation
import PipelineFile
import Records

/// A key that cannot be read or used (exit 2), said with where it was looked for.
public struct KeyError: ImpactError {
    public let place: String
    public let reason: String
    public var description: String { "\(place): \(reason)" }
}

/// Where the programme secret comes from (README "Privacy").
///
/// - `privacy.key_file` / `privacy.key_env` in the pipeline file: that key, for every command.
/// - Otherwise, commands that keep pseudonyms (`refresh`, `run --emit-state`) use the key file beside
///   the store (`<store>.key`, `<output folder>.key` by default), created once — 32 bytes from the
///   system's CSPRNG, mode 0600, never overwritten; `merge` uses it only if it exists.
/// - A plain `run` keeps no pseudonym: a fresh random key lives in memory for the process (outputs do
///   not depend on it: a test runs the sample under two keys).
enum PseudonymKeys {
    /// The key a run that persists nothing uses.
    static func forRun(_ config: PipelineConfig) throws -> PseudonymKey {
        try configured(config) ?? PseudonymKey.random()
    }

    /// The key of a store or a partition state; `create`: make the key file when there is none.
    static func persistent(_ config: PipelineConfig, outputFolder: String?, create: Bool) throws -> PseudonymKey {
        if let key = try configured(config) { return key }
        let path = keyFilePath(config, outputFolder: outputFolder)
        if !FileManager.default.fileExists(atPath: path) {
            guard create else {
                throw KeyError(place: config.file, reason: "no pseudonym key: set privacy.key_file (or key_env) to the key the partitions were run with, or put it at \(path)")
            }
            try make(path)
        }
        return try read(path)
    }

    /// `<store>.key` beside the store: `out.sqlite` → `out.key`.
    static func keyFilePath(_ config: PipelineConfig, outputFolder: String?) -> String {
        let store = PipelineRefresh.storePath(config: config, outputFolder: outputFolder)
        return (store.hasSuffix(".sqlite") ? String(store.dropLast(".sqlite".count)) : store) + ".key"
    }

    static func configured(_ config: PipelineConfig) throws -> PseudonymKey? {
        if let file = config.keyFile { return try read(file, line: config.keyLine, pipeline: config.file) }
        guard let name = config.keyEnv else { return nil }
        let place = "\(config.file):\(config.keyLine): privacy.key_env"
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw KeyError(place: place, reason: "the environment variable \(name) is not set; set it to the key (64 hexadecimal characters, e.g. from `openssl rand -hex 32`)")
        }
        guard let bytes = hexBytes(value), let key = PseudonymKey(bytes: bytes) else {
            throw KeyError(place: place, reason: "\(name) must hold 64 hexadecimal characters (32 bytes, e.g. from `openssl rand -hex 32`)")
        }
        return key
    }

    /// A key file: 32 raw bytes, or 64 hexadecimal characters; readable by its owner only.
    static func read(_ path: String, line: Int = 0, pipeline: String? = nil) throws -> PseudonymKey {
        let place = pipeline.map { "\($0):\(line): privacy.key_file (\(path))" } ?? path
        var info = stat()
        guard stat(path, &info) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw KeyError(place: place, reason: "cannot read the key file (\(String(cString: strerror(errno)))); a lost key cannot be recreated: see README \"Privacy\"")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw KeyError(place: place, reason: "the key file can be read by others: `chmod 600 \(path)`")
        }
        let bytes = [UInt8](data)
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = PseudonymKey(bytes: bytes) ?? hexBytes(text).flatMap(PseudonymKey.init(bytes:)) else {
            throw KeyError(place: place, reason: "a key file holds 32 bytes, or 64 hexadecimal characters")
        }
        return key
    }

    /// Creates a key file that did not exist (never replaces one: O_EXCL), 0600.
    static func make(_ path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KeyError(place: path, reason: "cannot create the key file (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let bytes = PseudonymKey.randomBytes()
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw KeyError(place: path, reason: "cannot write the key file (\(String(cString: strerror(errno))))")
        }
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 2 * PseudonymKey.byteCount else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
