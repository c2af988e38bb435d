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

    /// Makes every thread allocate from one malloc arena; call before threads start. With an arena
    /// per thread (glibc's default), blocks allocated by the reading thread and freed by the
    /// aggregating one, plus the helpers' own, fragment several heaps: the 5 GB peak was 108 MiB
    /// against 92 MiB with one arena, at the same speed (1 GB: 15.7 s vs 15.5 s, 3 alternating pairs).
    public static func useOneMallocArena() {
        #if canImport(Glibc)
        typealias Option = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Option.self)(-8, 1)  // M_ARENA_MAX (malloc.h)
        #endif
    }
}
