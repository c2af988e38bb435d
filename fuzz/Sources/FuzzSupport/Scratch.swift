import Foundation

/// A file holding the current input: the readers under test read paths, as the pipeline does.
/// In /dev/shm when there is one (no disk write per execution); one per process.
public enum Scratch {
    public static let path: String = {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(folder)/impact-fuzz-\(getpid())"
    }()

    /// Writes `bytes` to `path` (truncating) and returns the path.
    public static func write(_ bytes: UnsafeBufferPointer<UInt8>, to path: String = Scratch.path) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot write \(path)")
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let n = Foundation.write(fd, base + offset, bytes.count - offset)
            precondition(n > 0, "cannot write \(path)")
            offset += n
        }
        close(fd)
        return path
    }
}

/// A finding: the fuzzer records the input that led here (a crash is how libFuzzer is told).
public func finding(_ message: @autoclosure () -> String) -> Never {
    fatalError("FUZZ FINDING: \(message())")
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                 _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

/// Runs libFuzzer's driver on `callback`. SwiftPM links an executable target's entry point as
/// `<Target>_main`; each target defines it (with -parse-as-library no `main` is generated) and
/// lands here, so the target runs under libFuzzer whichever `main` the linker keeps.
public func runFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
                      _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32 {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
