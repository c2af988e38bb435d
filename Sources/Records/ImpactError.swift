/// An error that stops a command, said in one line: what went wrong, where, and what to do.
///
/// The command line prints `description` as is and exits with `exitCode`; every error type that can
/// reach a user conforms, so no Foundation error text is ever printed.
public protocol ImpactError: Error, CustomStringConvertible, Sendable {
    /// The process exit code (docs/design.md §9): 2 for usage, pipeline-file, store or output errors.
    var exitCode: Int32 { get }
}

extension ImpactError {
    public var exitCode: Int32 { 2 }
}
