import Records
import Yams

/// A YAML node with the key path that led to it, so that every error can say file:line:key.
struct YAMLNode {
    let node: Node
    let path: String
    let file: String
    let fallbackLine: Int

    var line: Int { node.mark?.line ?? fallbackLine }

    func error(_ message: String) -> PipelineFileError {
        PipelineFileError(file: file, line: line, key: path, message: message)
    }

    func child(_ key: String, _ value: Node) -> YAMLNode {
        YAMLNode(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file, fallbackLine: line)
    }

    /// The mapping's entries, refusing keys not in `allowed` (with a suggestion for typos).
    func mapping(allowed: [String]?) throws -> [(key: String, keyLine: Int, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping (key: value lines), found \(kindName)")
        }
        var seen = Set<String>()
        var result: [(String, Int, YAMLNode)] = []
        for (k, v) in mapping {
            let keyLine = k.mark?.line ?? line
            guard let key = k.scalar?.string else {
                throw PipelineFileError(file: file, line: keyLine, key: path, message: "keys must be plain text")
            }
            let childNode = child(key, v)
            if let allowed, !allowed.contains(key) {
                let suggestion = allowed.min { levenshtein($0, key) < levenshtein($1, key) }
                var message = "unknown key; expected one of: \(allowed.joined(separator: ", "))"
                if let suggestion, levenshtein(suggestion, key) <= 3 { message += " (did you mean '\(suggestion)'?)" }
                throw PipelineFileError(file: file, line: keyLine, key: childNode.path, message: message)
            }
            guard seen.insert(key).inserted else {
                throw PipelineFileError(file: file, line: keyLine, key: childNode.path, message: "key given twice")
            }
            result.append((key, keyLine, childNode))
        }
        return result
    }

    func sequence() throws -> [YAMLNode] {
        guard case .sequence(let seq) = node else { throw error("expected a list (lines starting with '- '), found \(kindName)") }
        return seq.enumerated().map { i, n in
            YAMLNode(node: n, path: "\(path)[\(i)]", file: file, fallbackLine: line)
        }
    }

    /// A list, or a single value taken as a one-element list.
    func list() throws -> [YAMLNode] {
        if case .sequence = node { return try sequence() }
        return [self]
    }

    func string() throws -> String {
        guard case .scalar(let s) = node else { throw error("expected a text value, found \(kindName)") }
        return s.string
    }

    func nonEmptyString() throws -> String {
        let s = try string().trimmedWhitespace
        guard !s.isEmpty else { throw error("expected a non-empty text value") }
        return s
    }

    func int(in range: ClosedRange<Int>) throws -> Int {
        let s = try string()
        guard let v = Int(s.trimmedWhitespace), range.contains(v) else {
            throw error("expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(s)'")
        }
        return v
    }

    func double(in range: ClosedRange<Double>) throws -> Double {
        let s = try string()
        guard let v = Double(s.trimmedWhitespace.replacingComma), range.contains(v) else {
            throw error("expected a number from \(range.lowerBound) to \(range.upperBound), found '\(s)'")
        }
        return v
    }

    /// A day written `yyyy-mm-dd`.
    func isoDate() throws -> CalendarDate {
        let s = try string().trimmedWhitespace
        let parts = s.split(separator: "-").map { Int($0) }
        guard parts.count == 3, s.count == 10, let y = parts[0], let m = parts[1], let d = parts[2],
              let date = CalendarDate(year: y, month: m, day: d) else {
            throw error("expected a date written yyyy-mm-dd (e.g. 2025-08-31), found '\(s)'")
        }
        return date
    }

    func oneOf(_ choices: [String]) throws -> String {
        let s = try string().trimmedWhitespace
        guard choices.contains(s) else {
            throw error("expected one of: \(choices.joined(separator: ", ")); found '\(s)'" + Self.didYouMean(s, among: choices))
        }
        return s
    }

    /// " (did you mean 'x'?)" when `value` is a typo of one of `choices` (folded: case and accents
    /// aside, as labels match), else "".
    static func didYouMean(_ value: String, among choices: [String], folded: Bool = false) -> String {
        Nearest.suggestion(for: value, among: choices, folded: folded).map { " (did you mean '\($0)'?)" } ?? ""
    }

    var kindName: String {
        switch node {
        case .scalar(let s): return "the value '\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

extension String {
    var replacingComma: String { String(map { $0 == "," ? "." : $0 }) }
}
