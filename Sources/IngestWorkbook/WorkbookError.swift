import Records

/// A workbook that cannot be read (damaged, encrypted, legacy, hostile), said in one line with what to do.
public struct WorkbookError: ImpactError, Equatable {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `cannot read FILE: why; what to do` (after `impact: `).
    public var description: String { "cannot read \(file): \(message)" }

    /// An encrypted workbook (an OOXML one inside an OLE file, or an ODF package with encrypted parts).
    static func passwordProtected(_ file: String) -> WorkbookError {
        WorkbookError(file: file, message: "the workbook is password-protected (protégé par mot de passe): save it without a password (enregistrez-le sans mot de passe) and run again")
    }
    /// A source that cannot be read is a data problem (exit 1), not a usage error.
    public var exitCode: Int32 { 1 }
}

/// The limits a workbook package is held to (documented in docs/pipeline-file.md). Sheets are
/// streamed, so size costs time rather than memory; the limits stop ZIP bombs early.
public enum WorkbookLimits {
    /// Largest uncompressed part read (declared, and counted while inflating).
    public static let maximumPartBytes: UInt64 = 8 << 30
    /// Above `ratioFloor` uncompressed bytes, a part may not inflate more than this many times its compressed size.
    public static let maximumRatio: UInt64 = 500
    public static let ratioFloor: UInt64 = 100 << 20
    /// Largest central directory, and most entries, a package may declare.
    public static let maximumDirectoryBytes = 64 << 20
    public static let maximumEntries = 100_000
    /// The shared-strings table is held in memory (one arena): its text may not pass this.
    public static let maximumSharedStringBytes = 512 << 20
}
