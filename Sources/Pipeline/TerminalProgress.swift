import Dispatch
import Foundation
import Records

/// The progress line on a terminal: the source being read, bytes read of its files' total, records
/// per second and the time left, redrawn in place four times a second; messages print above it.
public final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let fd: Int32
    private var timer: DispatchSourceTimer?
    private var lineShown = false

    public init(fd: Int32 = STDERR_FILENO) { self.fd = fd }

    /// Starts redrawing.
    public func start() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "impact.progress"))
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
        self.timer = timer
    }

    /// Stops redrawing and clears the line.
    public func stop() {
        timer?.cancel()
        timer = nil
        lock.withLock { clear() }
    }

    /// A line of its own ("… reading inputs/a.csv (actions)"), above the progress line.
    public func message(_ text: String) {
        lock.withLock {
            clear()
            write("… \(text)\n")
        }
    }

    private func draw() {
        guard let s = ReadProgress.shared.snapshot() else { return }
        let line = Self.line(s, width: Self.columns(fd))
        lock.withLock {
            write("\r\u{1B}[2K" + line)
            lineShown = true
        }
    }

    /// "emargements: 12.3 of 51.4 MB (24 %), 120,000 records/s, about 3 s left", cut to `width`.
    static func line(_ s: ReadProgress.Snapshot, width: Int) -> String {
        var parts: [String] = []
        let read = min(s.bytes, max(s.totalBytes, s.bytes))
        if s.totalBytes > 0 {
            parts.append("\(megabytes(read)) of \(megabytes(s.totalBytes)) MB (\(min(100, read * 100 / s.totalBytes)) %)")
        } else {
            parts.append("\(megabytes(read)) MB")
        }
        if s.seconds >= 0.5 {
            parts.append("\(grouped(Int(Double(s.records) / s.seconds))) records/s")
            if s.totalBytes > read, read > 0 {
                let left = s.seconds * Double(s.totalBytes - read) / Double(read)
                parts.append(left < 60 ? "about \(Int(left.rounded(.up))) s left" : "about \(Int((left / 60).rounded(.up))) min left")
            }
        }
        let line = "… \(s.source): " + parts.joined(separator: ", ")
        return line.count > width - 1 ? String(line.prefix(max(0, width - 1))) : line
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }

    /// 120000 → "120,000".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }

    private static func columns(_ fd: Int32) -> Int {
        var size = winsize()
        return ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 100
    }

    private func clear() {
        if lineShown { write("\r\u{1B}[2K") }
        lineShown = false
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in _ = Glibc.write(fd, raw.baseAddress, raw.count) }
    }
}
