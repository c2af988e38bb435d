import Foundation

/// The process's memory: what the kernel counts, and glibc's malloc tuned for long runs over
/// large inputs (docs/performance.md, "Memory").
public enum ProcessMemory {
    /// Peak resident set size so far (`VmHWM` in /proc/self/status), 0 where unavailable.
    public static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kB = Int(line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") else { return 0 }
        return kB * 1024
    }

    /// Makes every thread allocate from one malloc arena: call once, first thing, before any thread
    /// starts. Blocks allocated by a reading thread and freed by the aggregating one fragment one
    /// heap per thread otherwise (a higher peak, no speed gained).
    public static func tuneForLargeInputs() {
        #if canImport(Glibc)
        typealias Option = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Option.self)(-8, 1)  // M_ARENA_MAX (malloc.h)
        #endif
    }

    /// Hands memory freed by the released aggregates back to the system (glibc keeps freed small
    /// blocks in its heap, so the report's larger buffers would otherwise add to the peak).
    /// `malloc_trim` is looked up at run time: Swift's Glibc module does not export <malloc.h>.
    static func returnFreedMemory() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
