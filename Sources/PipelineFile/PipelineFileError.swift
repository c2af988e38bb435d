import Records

/// A mistake in a pipeline file: where it is (file, line, key) and what was expected.
public struct PipelineFileError: ImpactError, Equatable {
    public let file: String
    public let line: Int
    public let key: String
    public let message: String
    /// Mistakes of the same kind found elsewhere in the file (every missing input at once), one line each.
    public var others: [PipelineFileError] = []

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = Self.oneLine(key)
        self.message = Self.oneLine(message)
    }

    /// `text` on one line: a line break quoted from the file (a value or a key holding one) is shown
    /// as `\n`, so that each mistake stays one line.
    static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return String(text.map { $0.isNewline ? ($0 == "\r" ? "\\r" : "\\n") : String($0) }.joined())
    }

    /// `pipelines/x.yml:12: sources[0].colums: unknown key; expected one of …`
    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        return ([key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"] + others.map(\.description)).joined(separator: "\n")
    }
}

/// Edit distance, to suggest the key a typo meant (one rule: `Nearest`).
func levenshtein(_ a: String, _ b: String) -> Int { Nearest.distance(a, b) }
