import Foundation
import Records
import Yams

/// Reads and checks a pipeline file; every mistake is a `PipelineFileError` with file:line:key.
public enum PipelineLoader {
    /// Loads `path`; relative paths inside resolve against the file's folder.
    public static func load(path: String) throws -> PipelineConfig {
        try parse(data: try read(path: path), path: path)
    }

    /// The pipeline file's bytes.
    static func read(path: String) throws(PipelineFileError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineFileError(file: path, line: 0, key: "", message: "cannot read the pipeline file (does it exist?)")
        }
        return data
    }

    /// Parses the bytes read from `path`; relative paths inside resolve against its folder.
    static func parse(data: Data, path: String) throws -> PipelineConfig {
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineFileError(file: path, line: 0, key: "", message: "the pipeline file must be UTF-8 text")
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(text: text, file: path, baseDirectory: resolve(base.isEmpty ? "." : base, base: "."))
    }

    /// Parses pipeline text; `baseDirectory` anchors relative paths.
    public static func parse(text: String, file: String, baseDirectory: String) throws -> PipelineConfig {
        let doc = try document(text, file: file)
        var sections = PipelineSections(base: baseDirectory)
        for (key, _, value) in try doc.mapping(allowed: PipelineSections.keys) { try sections.read(key, value) }
        guard let sourceNodes = sections.sourceNodes, !sourceNodes.isEmpty else {
            throw PipelineFileError(file: file, line: 1, key: "sources", message: "missing: at least one source is expected")
        }
        guard let outputFolder = sections.outputFolder else {
            throw PipelineFileError(file: file, line: 1, key: "outputs.folder", message: "missing: the folder the outputs are written to")
        }
        if sections.territories.entries.isEmpty {
            throw PipelineFileError(file: file, line: 1, key: "vocabularies.territory",
                                    message: "missing: list the programme's territories (id, label, aliases)")
        }
        let targets = try sections.targetNodes.map { try parseTarget($0, territories: sections.territories, stakeholders: sections.stakeholders) }
        let sources = try parseSources(sourceNodes, base: baseDirectory, stakeholders: sections.stakeholders, questionnaire: sections.questionnaire)
        return sections.config(file: file, targets: targets, sources: sources, outputFolder: outputFolder)
    }

    /// The YAML document, or the syntax error where it is.
    static func document(_ text: String, file: String) throws -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PipelineFileError(file: file, line: 1, key: "", message: "the file is empty; expected a mapping with 'sources'")
            }
            return YAMLNode(node: node, path: "", file: file, fallbackLine: 1)
        } catch let error as YamlError {
            throw yamlSyntaxError(error, file: file, text: text)
        }
    }

    /// One `targets:` entry: indicator and value, and optionally period, territory and stakeholder type.
    static func parseTarget(_ node: YAMLNode, territories: Vocabulary, stakeholders: Vocabulary) throws -> Target {
        var indicator: Indicator?, period: String?, territory = "ALL", type: String?, target: Double?
        for (k, _, v) in try node.mapping(allowed: ["indicator", "period", "territory", "stakeholder_type", "value"]) {
            switch k {
            case "indicator": indicator = Indicator(rawValue: try v.oneOf(Indicator.allCases.filter(\.isTargetable).map(\.id)))
            case "period": period = try v.nonEmptyString()
            case "territory":
                let raw = try v.nonEmptyString()
                guard let id = territories.resolve(raw) else {
                    throw v.error("'\(raw)' is not a territory of vocabularies.territory" + YAMLNode.didYouMean(raw, among: territories.ids, folded: true))
                }
                territory = id
            case "stakeholder_type":
                let raw = try v.nonEmptyString()
                guard let id = stakeholders.resolve(raw) else {
                    throw v.error("'\(raw)' is not a stakeholder type" + YAMLNode.didYouMean(raw, among: stakeholders.ids, folded: true))
                }
                type = id
            default: target = try v.double(in: 0...1e12)
            }
        }
        guard let indicator, let target else { throw node.error("a target needs 'indicator' and 'value'") }
        return Target(indicator: indicator, period: period, territory: territory, stakeholderType: type ?? indicator.defaultTargetStakeholderType,
                      value: target, line: node.line)
    }

    /// Every source; the inputs missing from any of them are reported at once (a new year's exports
    /// are usually renamed together).
    static func parseSources(_ nodes: [YAMLNode], base: String, stakeholders: Vocabulary, questionnaire: Questionnaire) throws -> [SourceConfig] {
        var sources: [SourceConfig] = []
        var missingInputs: [PipelineFileError] = []
        for node in nodes {
            let source: SourceConfig
            do {
                source = try parseSource(node, base: base, stakeholders: stakeholders, questionnaire: questionnaire)
            } catch let missing as MissingInput {
                missingInputs.append(missing.error)
                continue
            }
            if let twin = sources.first(where: { $0.name == source.name }) {
                throw node.error("source name '\(source.name)' is already used at line \(twin.line)")
            }
            sources.append(source)
        }
        if var first = missingInputs.first {
            first.others = Array(missingInputs.dropFirst())
            throw first
        }
        return sources
    }

    static func yamlSyntaxError(_ error: YamlError, file: String, text: String) -> PipelineFileError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            // Tabs: YAML indents with spaces only, and the parser's words never say "tab".
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for number in [mark.line, mark.line - 1] where number >= 1 && number <= lines.count {
                let line = lines[number - 1]
                if let tab = line.firstIndex(of: "\t") {
                    let column = line.distance(from: line.startIndex, to: tab) + 1
                    return PipelineFileError(file: file, line: number, key: "",
                                             message: "a tab at column \(column): YAML indents with spaces only; replace the tab with spaces (YAML syntax: \(problem))")
                }
            }
            return PipelineFileError(file: file, line: mark.line, key: "", message: "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let keys, let context):
            let key = keys.sorted().first ?? ""
            let (line, path) = duplicateKey(key, firstAt: context.mark.line, column: context.mark.column, in: text)
            return PipelineFileError(file: file, line: line, key: path, message: "key given twice (first at line \(context.mark.line)); keep one")
        default:
            // The library's text may hold the whole document: only its first line is kept.
            let first = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "unreadable YAML"
            return PipelineFileError(file: file, line: 0, key: "", message: "YAML syntax: \(first)")
        }
    }

    /// Where a key given twice in a block mapping is given again (the line after `firstAt`, at the
    /// same indentation) and its path (`privacy.k`) from the keys above it; the first line and the
    /// bare key when the layout says no more (flow mappings, lists).
    static func duplicateKey(_ key: String, firstAt first: Int, column: Int, in text: String) -> (line: Int, path: String) {
        // Lines as the YAML parser counts them (CR, LF, CRLF, NEL, LS, PS), so that its line numbers point into them.
        let breaks: Set<Character> = ["\n", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}"]
        let lines = text.split(omittingEmptySubsequences: false) { breaks.contains($0) }
        func indent(_ l: Substring) -> Int { l.prefix { $0 == " " }.count }
        func isContent(_ l: Substring) -> Bool { let t = l.drop { $0 == " " }; return !t.isEmpty && !t.hasPrefix("#") }
        let depth = column - 1
        var line = first
        var i = first  // 0-based index of the line after the first occurrence
        while i < lines.count {
            let l = lines[i]
            if isContent(l) && indent(l) < depth { break }
            if indent(l) == depth, l.dropFirst(depth).hasPrefix(key), l.dropFirst(depth + key.count).drop(while: { $0 == " " }).hasPrefix(":") {
                line = i + 1
                break
            }
            i += 1
        }
        var path = [key]
        var level = depth
        var j = min(first - 2, lines.count - 1)
        while j >= 0, level > 0 {
            let l = lines[j]
            if isContent(l) && indent(l) < level {
                let entry = l.drop { $0 == " " }
                guard !entry.hasPrefix("-"), let colon = entry.firstIndex(of: ":") else { return (line, key) }
                path.insert(String(entry[..<colon]), at: 0)
                level = indent(l)
            }
            j -= 1
        }
        return (line, path.joined(separator: "."))
    }

    static func parsePeriods(_ node: YAMLNode) throws -> PeriodScheme {
        var scheme = "calendar"
        var startMonth: Int?
        var startNode: YAMLNode?
        for (key, _, value) in try node.mapping(allowed: ["scheme", "start_month"]) {
            if key == "scheme" { scheme = try value.oneOf(["calendar", "programme_year"]) }
            if key == "start_month" { startMonth = try value.int(in: 1...12); startNode = value }
        }
        if scheme == "calendar" {
            if let startNode, startMonth != 1 { throw startNode.error("start_month only applies to scheme: programme_year") }
            return .calendarYear
        }
        guard let startMonth else { throw node.error("scheme programme_year needs start_month (1 to 12)") }
        return startMonth == 1 ? .calendarYear : .programmeYear(startMonth: startMonth)
    }

    /// `id: {label: …, aliases: […]}` or `id: [alias, …]`.
    static func addEntries(_ node: YAMLNode, to vocabulary: inout Vocabulary) throws {
        for (id, _, value) in try node.mapping(allowed: nil) {
            guard id.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil, id != "all" else {
                throw value.error("canonical ids are lower-case letters, digits and '_' (and not 'all'); found '\(id)'")
            }
            var label = vocabulary.label(of: id)
            var aliases: [String] = []
            if case .mapping = value.node {
                for (k, _, v) in try value.mapping(allowed: ["label", "label_en", "aliases"]) {
                    if k == "label" { label = try v.nonEmptyString() }
                    if k == "label_en" { vocabulary.englishLabels[id] = try v.nonEmptyString() }
                    if k == "aliases" { aliases = try v.list().map { try $0.nonEmptyString() } }
                }
            } else {
                aliases = try value.list().map { try $0.nonEmptyString() }
            }
            if let clash = vocabulary.add(.init(id: id, label: label, aliases: aliases)) {
                throw value.error("alias '\(clash.alias)' already stands for '\(clash.existing)' in \(vocabulary.name)")
            }
        }
    }

    /// `file` as seen from the folder `base` (both as `resolve` returns them): "../inputs/a.csv".
    public static func relative(_ file: String, from base: String) -> String {
        guard file.hasPrefix("/") == base.hasPrefix("/") else { return file }
        let f = file.split(separator: "/"), b = base == "." ? [] : base.split(separator: "/")
        var common = 0
        while common < f.count - 1, common < b.count, f[common] == b[common] { common += 1 }
        guard !b[common...].contains("..") else { return file }
        return (Array(repeating: "..", count: b.count - common) + f[common...].map(String.init)).joined(separator: "/")
    }

    /// `path` against `base`, with `.` and `..` folded lexically ("pipelines/../inputs/a.csv" → "inputs/a.csv").
    static func resolve(_ path: String, base: String) -> String {
        let joined = path.hasPrefix("/") || base == "." ? path : "\(base)/\(path)"
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        let folded = parts.joined(separator: "/")
        return joined.hasPrefix("/") ? "/" + folded : (folded.isEmpty ? "." : folded)
    }
}
