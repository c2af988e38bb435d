import Foundation

/// A pipeline file for a test, built from the bundled sample (or any text) by naming what changes:
/// where the inputs and outputs are, and values at key paths. Comments and line numbers of the
/// lines left alone are kept, so an error's `file:line` still points where the test expects.
///
/// Key paths are dotted keys of block mappings; a source is named by its `name`:
/// `privacy.k`, `quality.max_reject_rate`, `sources[emargements].columns.person`.
public struct TestPipeline {
    public private(set) var lines: [String]

    public init(text: String) { lines = text.components(separatedBy: "\n") }

    /// The bundled sample's pipeline file, as committed.
    public static func sample() throws -> TestPipeline {
        TestPipeline(text: try String(contentsOfFile: "\(Paths.root)/pipelines/declic-industrie.yml", encoding: .utf8))
    }

    public var text: String { lines.joined(separator: "\n") }

    /// Reads the sample's inputs from `folder` (the committed file reads `../inputs/`).
    public func inputs(_ folder: String) -> TestPipeline { replacingPrefix("../inputs/", with: folder.hasSuffix("/") ? folder : folder + "/") }

    /// Writes the outputs to `folder`.
    public func output(_ folder: String) throws -> TestPipeline { try setting("outputs.folder", folder) }

    /// `value` (written as given: quote it if YAML needs) at `path`, the line's comment kept; a key
    /// absent from an existing mapping is added as its first entry.
    public func setting(_ path: String, _ value: String) throws -> TestPipeline {
        var copy = self
        if let i = copy.line(of: path) {
            let (indent, key, _, comment) = Self.parts(copy.lines[i])
            copy.lines[i] = indent + key + ": " + value + (comment.isEmpty ? "" : "  " + comment)
            return copy
        }
        let (parent, key) = Self.split(path)
        guard let p = copy.line(of: parent) else { throw Missing(path: path) }
        let indent = String(repeating: " ", count: Self.indent(of: copy.lines[p]) + 2)
        copy.lines.insert(indent + key + ": " + value, at: p + 1)
        return copy
    }

    /// Without the key at `path` (and the block under it).
    public func removing(_ path: String) throws -> TestPipeline {
        var copy = self
        guard let i = copy.line(of: path) else { throw Missing(path: path) }
        copy.lines.removeSubrange(i..<copy.blockEnd(i))
        return copy
    }

    /// The key at `path` spelled `newKey` (a typo a test wants the loader to catch).
    public func renaming(_ path: String, to newKey: String) throws -> TestPipeline {
        var copy = self
        guard let i = copy.line(of: path) else { throw Missing(path: path) }
        let (indent, _, value, comment) = Self.parts(copy.lines[i])
        copy.lines[i] = indent + newKey + ":" + (value.isEmpty ? "" : " " + value) + (comment.isEmpty ? "" : "  " + comment)
        return copy
    }

    /// `line` (e.g. `k: 6`, `- {indicator: hires, value: 3}`) added at the end of the block of `path`,
    /// indented as its entries.
    public func appending(_ line: String, to path: String) throws -> TestPipeline {
        var copy = self
        guard let i = copy.line(of: path) else { throw Missing(path: path) }
        let end = copy.blockEnd(i)
        let indent = end > i + 1 ? Self.indent(of: copy.lines[(i + 1)...].first { !Self.isBlank($0) } ?? "") : Self.indent(of: copy.lines[i]) + 2
        copy.lines.insert(String(repeating: " ", count: indent) + line, at: end)
        return copy
    }

    /// Only the sources named, in their order.
    public func keepingSources(_ names: Set<String>) throws -> TestPipeline {
        var copy = self
        for name in sourceNames where !names.contains(name) { copy = try copy.removing("sources[\(name)]") }
        return copy
    }

    /// The `sources:` list replaced by `yaml` (items indented by two spaces).
    public func withSources(_ yaml: String) throws -> TestPipeline {
        guard let i = line(of: "sources") else { throw Missing(path: "sources") }
        return TestPipeline(text: (Array(lines[...i]) + [yaml]).joined(separator: "\n"))
    }

    /// The names of the sources, in order.
    public var sourceNames: [String] {
        lines.compactMap { line in
            let (_, key, value, _) = Self.parts(line)
            return key.trimmingCharacters(in: .whitespaces) == "- name" ? value : nil
        }
    }

    /// Every occurrence of `prefix` at the start of a value replaced (paths of every source).
    public func replacingPrefix(_ prefix: String, with replacement: String) -> TestPipeline {
        var copy = self
        copy.lines = lines.map { line in
            let (indent, key, value, comment) = Self.parts(line)
            guard value.hasPrefix(prefix) else { return line }
            return indent + key + ": " + replacement + value.dropFirst(prefix.count) + (comment.isEmpty ? "" : "  " + comment)
        }
        return copy
    }

    /// Writes the file; returns its path.
    @discardableResult
    public func write(to path: String) throws -> String {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The path named no key of the file.
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "no key \(path) in the test's pipeline file" }
    }

    // MARK: Finding keys

    /// The line index of the key at `path`.
    public func line(of path: String) -> Int? {
        var range = 0..<lines.count, indent = -1, found: Int?
        for component in Self.components(path) {
            guard let i = find(component, in: range, deeperThan: indent) else { return nil }
            found = i
            indent = Self.indent(of: lines[i])
            range = (i + 1)..<blockEnd(i)
        }
        return found
    }

    /// The line of `component` among the entries of `range` (the first entry sets their indent).
    private func find(_ component: Component, in range: Range<Int>, deeperThan indent: Int) -> Int? {
        var level: Int?
        for i in range where !Self.isBlank(lines[i]) {
            let here = Self.indent(of: lines[i])
            guard here > indent else { return nil }
            level = level ?? here
            guard here == level else { continue }
            let (_, key, value, _) = Self.parts(lines[i])
            if component.name.map({ key == "- name" && value == $0 }) ?? (key == component.key) { return i }
        }
        return nil
    }

    /// The line after the block that starts at `start`: the lines indented deeper (blank lines
    /// inside it included, those after it left out).
    public func blockEnd(_ start: Int) -> Int {
        let indent = Self.indent(of: lines[start])
        var end = start + 1
        while end < lines.count, Self.isBlank(lines[end]) || Self.indent(of: lines[end]) > indent { end += 1 }
        while end > start + 1, Self.isBlank(lines[end - 1]) { end -= 1 }
        return end
    }

    private struct Component {
        let key: String
        /// For `sources[NAME]`: the item whose `name` is NAME.
        let name: String?
    }

    private static func components(_ path: String) -> [Component] {
        path.split(separator: ".").flatMap { part -> [Component] in
            guard let open = part.firstIndex(of: "["), part.hasSuffix("]") else { return [Component(key: String(part), name: nil)] }
            return [Component(key: String(part[..<open]), name: nil),
                    Component(key: String(part[..<open]), name: String(part[part.index(after: open)..<part.index(before: part.endIndex)]))]
        }
    }

    private static func split(_ path: String) -> (parent: String, key: String) {
        guard let dot = path.lastIndex(of: ".") else { return ("", path) }
        return (String(path[..<dot]), String(path[path.index(after: dot)...]))
    }

    private static func isBlank(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }

    private static func indent(of line: String) -> Int { line.prefix { $0 == " " }.count }

    /// Indentation, key (with a leading `- ` for a sequence item), value and `# comment` of a line.
    private static func parts(_ line: String) -> (indent: String, key: String, value: String, comment: String) {
        let indent = String(line.prefix { $0 == " " })
        let body = line.dropFirst(indent.count)
        guard let colon = body.firstIndex(of: ":") else { return (indent, "", String(body), "") }
        let key = String(body[..<colon])
        var rest = body[body.index(after: colon)...].drop { $0 == " " }
        var comment = ""
        // A comment starts at ` #` outside quotes.
        var quote: Character?
        var previous: Character = " "
        for i in rest.indices {
            let c = rest[i]
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == "#" && previous == " " {
                comment = String(rest[i...])
                rest = rest[..<i]
                break
            }
            previous = c
        }
        return (indent, key, String(rest).trimmingCharacters(in: .whitespaces), comment)
    }
}

extension TestPipeline {
    /// A minimal valid pipeline file, as text, and a new scratch folder holding its one input (`a.csv`).
    public static func minimal(_ extra: String = "", source: String? = nil) -> (text: String, folder: String) {
        let folder = Paths.scratch("yml")
        _ = FileManager.default.createFile(atPath: "\(folder)/a.csv", contents: Data("id;date\n".utf8))
        let text = """
        version: 1
        outputs:
          folder: out
        vocabularies:
          territory:
            lyon: [Lyon]
        \(extra)
        sources:
        \(source ?? """
          - name: actions
            kind: actions
            path: a.csv
            columns:
              action_id: id
              date: date
              territory: Territoire
              action_type: Type
        """)
        """
        return (text, folder)
    }
}
