import Foundation

/// The process's memory, as the kernel counts it.
public enum ProcessMemory {
    /// Peak resident set size so far (`VmHWM` in /proc/self/status), 0 where unavailable.
    public static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kB = Int(line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") else { return 0 }
        return kB * 1024
    }

    /// Hands memory freed by the released aggregates back to the system (glibc keeps freed small
    /// blocks in its heap, so the report's larger buffers would otherwise add to the peak).
    /// `malloc_trim` is looked up at run time: Swift's Glibc module does not export <malloc.h>.
    public static func returnFreedMemory() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
