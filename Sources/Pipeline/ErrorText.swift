import Foundation
import PipelineFile
import Records

/// The one line the command line prints for an error that stops a command.
public enum ErrorText {
    /// `file:line: key: …` errors keep their place in front (`error: `, one line per mistake when the
    /// file has several of a kind, like missing inputs); every other error reads `impact: what went
    /// wrong: the path: what to do`. An error that is not an `ImpactError` (a library's) is reduced to
    /// one such line: never a Foundation dump.
    public static func line(_ error: any Error) -> String {
        guard error is PipelineFileError else { return "impact: " + message(error) }
        return message(error).split(separator: "\n").map { "error: \($0)" }.joined(separator: "\n")
    }

    /// The line without its `error: ` or `impact: ` prefix (for the JSON log).
    public static func message(_ error: any Error) -> String {
        (error as? ImpactError)?.description ?? describe(error)
    }

    /// One line for an error of a library: the path and the system's reason for Foundation's file
    /// errors, the first line of the description otherwise.
    static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
            let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "(no path)"
            let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
            let code = ns.domain == NSPOSIXErrorDomain ? Int32(ns.code) : underlying.flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
            if let code { return "a file operation failed: \(path): \(OutputError.reason(code)); check the path and the free space" }
            let reason: String
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file"
            case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
            case .fileWriteOutOfSpace: reason = OutputError.reason(ENOSPC)
            case .fileWriteFileExists: reason = "a file is in the way"
            case .fileWriteVolumeReadOnly: reason = "read-only file system"
            default: reason = "the system refused (code \(ns.code))"
            }
            return "a file operation failed: \(path): \(reason); check the path and the free space"
        }
        let text = String(describing: error)
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(type(of: error))"
        return "unexpected error: \(first.prefix(300)); please report it with the command that gave it"
    }
}
