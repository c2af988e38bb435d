import Foundation
import Records
import Yams

/// Reads and checks a pipeline file; every mistake is a `PipelineFileError` with file:line:key.
public enum PipelineLoader {
    static let topKeys = ["version", "title", "programme", "periods", "privacy", "quality", "outputs",
                          "vocabularies", "questionnaire", "hiring", "targets", "themes", "sources"]

    /// Loads `path`; relative paths inside resolve against the file's folder.
    public static func load(path: String) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineFileError(file: path, line: 0, key: "", message: "cannot read the pipeline file (does it exist?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineFileError(file: path, line: 0, key: "", message: "the pipeline file must be UTF-8 text")
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(text: text, file: path, baseDirectory: resolve(base.isEmpty ? "." : base, base: "."))
    }

    /// Parses pipeline text; `baseDirectory` anchors relative paths.
    public static func parse(text: String, file: String, baseDirectory: String) throws -> PipelineConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PipelineFileError(file: file, line: 1, key: "", message: "the file is empty; expected a mapping with 'sources'")
            }
            root = node
        } catch let error as YamlError {
            throw yamlSyntaxError(error, file: file)
        }
        let doc = YAMLNode(node: root, path: "", file: file, fallbackLine: 1)
        var title = "Rapport d'impact"
        var programme = ""
        var periods = PeriodScheme.calendarYear
        var k = 5
        var maxRejectRate = 0.05
        var outputFolder: String?
        var language = "fr"
        var territories = Vocabulary(name: "territory")
        var stakeholders = Vocabulary(name: "stakeholder_type")
        var actionTypes = Vocabulary(name: "action_type")
        BuiltinVocabularies.stakeholderTypes.forEach { stakeholders.add($0) }
        BuiltinVocabularies.actionTypes.forEach { actionTypes.add($0) }
        var sourceNodes: [YAMLNode]?
        var questionnaire = Questionnaire.none
        var eventKinds = Vocabulary(name: "event_kind")
        var contractTypes = Vocabulary(name: "contract_type")
        var referrerTypes = Vocabulary(name: "referrer_type")
        BuiltinVocabularies.eventKinds.forEach { eventKinds.add($0) }
        BuiltinVocabularies.contractTypes.forEach { contractTypes.add($0) }
        BuiltinVocabularies.referrerTypes.forEach { referrerTypes.add($0) }
        var hiring = HiringSettings()
        var targetNodes: [YAMLNode] = []
        var themes = ThemeLexicon()

        for (key, _, value) in try doc.mapping(allowed: topKeys) {
            switch key {
            case "version":
                _ = try value.int(in: 1...1)
            case "title": title = try value.nonEmptyString()
            case "programme": programme = try value.nonEmptyString()
            case "periods": periods = try parsePeriods(value)
            case "privacy":
                for (pk, _, pv) in try value.mapping(allowed: ["k"]) where pk == "k" {
                    k = try pv.int(in: 3...1_000)
                }
            case "quality":
                for (qk, _, qv) in try value.mapping(allowed: ["max_reject_rate"]) where qk == "max_reject_rate" {
                    maxRejectRate = try qv.double(in: 0...1)
                }
            case "outputs":
                for (ok, _, ov) in try value.mapping(allowed: ["folder", "lang"]) {
                    if ok == "folder" { outputFolder = resolve(try ov.nonEmptyString(), base: baseDirectory) }
                    if ok == "lang" { language = try ov.oneOf(["fr", "en"]) }
                }
            case "vocabularies":
                for (vk, _, vv) in try value.mapping(allowed: ["territory", "stakeholder_type", "action_type", "event_kind",
                                                                "contract_type", "referrer_type"]) {
                    switch vk {
                    case "territory": try addEntries(vv, to: &territories)
                    case "stakeholder_type": try addEntries(vv, to: &stakeholders)
                    case "event_kind":
                        for (id, _, _) in try vv.mapping(allowed: EventKind.allCases.map(\.rawValue)) { _ = id }
                        try addEntries(vv, to: &eventKinds)
                    case "contract_type": try addEntries(vv, to: &contractTypes)
                    case "referrer_type": try addEntries(vv, to: &referrerTypes)
                    default: try addEntries(vv, to: &actionTypes)
                    }
                }
            case "hiring":
                for (hk, _, hv) in try value.mapping(allowed: ["durable", "link_window_days"]) {
                    if hk == "durable" {
                        hiring.durable = DurableRule(strict: try hv.oneOf(["at_least_6_months", "more_than_6_months"]) == "more_than_6_months")
                    } else {
                        hiring.linkWindowDays = try hv.int(in: 1...3650)
                    }
                }
            case "targets":
                targetNodes = try value.sequence()
            case "themes":
                for (tk, _, tv) in try value.mapping(allowed: ["quotes", "obstacles", "levers"]) {
                    if tk == "quotes" {
                        themes.quotes = try tv.oneOf(["true", "false", "yes", "no"]).hasPrefix("t") || (try tv.string()) == "yes"
                        continue
                    }
                    for (id, _, entry) in try tv.mapping(allowed: nil) {
                        var label = id, words: [String] = []
                        if case .mapping = entry.node {
                            for (k, _, v) in try entry.mapping(allowed: ["label", "keywords"]) {
                                if k == "label" { label = try v.nonEmptyString() } else { words = try v.list().map { try $0.nonEmptyString() } }
                            }
                        } else {
                            words = try entry.list().map { try $0.nonEmptyString() }
                        }
                        guard !words.isEmpty else { throw entry.error("a theme needs keywords") }
                        themes.themes.append(.init(id: id, label: label, kind: tk == "obstacles" ? "obstacle" : "lever",
                                                   keywords: words.map(ThemeText.words)))
                    }
                }
            case "questionnaire":
                questionnaire = try QuestionnaireLoader.parse(value)
            case "sources":
                sourceNodes = try value.sequence()
            default: break
            }
        }
        guard let sourceNodes, !sourceNodes.isEmpty else {
            throw PipelineFileError(file: file, line: 1, key: "sources", message: "missing: at least one source is expected")
        }
        guard let outputFolder else {
            throw PipelineFileError(file: file, line: 1, key: "outputs.folder", message: "missing: the folder the outputs are written to")
        }
        if territories.entries.isEmpty {
            throw PipelineFileError(file: file, line: 1, key: "vocabularies.territory",
                                    message: "missing: list the programme's territories (id, label, aliases)")
        }
        var targets: [Target] = []
        for node in targetNodes {
            var indicator: String?, period: String?, territory = "ALL", type: String?, target: Double?
            for (k, _, v) in try node.mapping(allowed: ["indicator", "period", "territory", "stakeholder_type", "value"]) {
                switch k {
                case "indicator": indicator = try v.oneOf(Self.targetable)
                case "period": period = try v.nonEmptyString()
                case "territory":
                    let raw = try v.nonEmptyString()
                    guard let id = territories.resolve(raw) else { throw v.error("'\(raw)' is not a territory of vocabularies.territory") }
                    territory = id
                case "stakeholder_type":
                    let raw = try v.nonEmptyString()
                    guard let id = stakeholders.resolve(raw) else { throw v.error("'\(raw)' is not a stakeholder type") }
                    type = id
                default: target = try v.double(in: 0...1e12)
                }
            }
            guard let indicator, let target else { throw node.error("a target needs 'indicator' and 'value'") }
            // Hiring figures are about candidates; reach figures default to every stakeholder type.
            let defaultType = Self.targetable.firstIndex(of: indicator).map { $0 >= 4 } == true ? "candidat" : "ALL"
            targets.append(Target(indicator: indicator, period: period, territory: territory, stakeholderType: type ?? defaultType,
                                  value: target, line: node.line))
        }
        var sources: [SourceConfig] = []
        for node in sourceNodes {
            let source = try parseSource(node, base: baseDirectory, stakeholders: stakeholders, questionnaire: questionnaire)
            if let twin = sources.first(where: { $0.name == source.name }) {
                throw node.error("source name '\(source.name)' is already used at line \(twin.line)")
            }
            sources.append(source)
        }
        return PipelineConfig(file: file, baseDirectory: baseDirectory, title: title, programme: programme, periods: periods, privacyK: k,
                              maxRejectRate: maxRejectRate, outputFolder: outputFolder, language: language,
                              territories: territories, stakeholderTypes: stakeholders, actionTypes: actionTypes,
                              questionnaire: questionnaire, eventKinds: eventKinds, contractTypes: contractTypes,
                              referrerTypes: referrerTypes, hiring: hiring, targets: targets, themes: themes, sources: sources)
    }

    static func yamlSyntaxError(_ error: YamlError, file: String) -> PipelineFileError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return PipelineFileError(file: file, line: mark.line, key: "", message: "YAML syntax: \(problem)")
        default:
            return PipelineFileError(file: file, line: 0, key: "", message: "YAML syntax: \(error)")
        }
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
                for (k, _, v) in try value.mapping(allowed: ["label", "aliases"]) {
                    if k == "label" { label = try v.nonEmptyString() }
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

    /// Indicators a target may be set for (counts and shares whose attainment reads naturally).
    static let targetable = ["actions", "participations", "participants", "organisations", "referrals", "interviews", "immersions",
                             "hires", "retained_6m", "hires_sustainable", "hires_sustainable_share", "hires_after_action",
                             "conversion_referral_to_hire"]

    static let sourceKeys = ["name", "kind", "format", "path", "glob", "csv", "xml", "columns", "counts", "wave", "stakeholder_type", "items"]

    static func parseSource(_ node: YAMLNode, base: String, stakeholders: Vocabulary, questionnaire: Questionnaire) throws -> SourceConfig {
        var name: String?
        var kind: SourceKind?
        var format = SourceFormat.csv
        var files: [String]?
        var csv = CSVOptions()
        var xml = XMLOptions()
        var xmlNode: YAMLNode?
        var pathIsFolder = false
        var columns: [String: ColumnRef] = [:]
        var columnsNode: YAMLNode?
        var counts: [String: ColumnRef] = [:]
        var waveNode: YAMLNode?
        var fixedType: String?
        var itemsNode: YAMLNode?
        for (key, _, value) in try node.mapping(allowed: sourceKeys) {
            switch key {
            case "name": name = try value.nonEmptyString()
            case "kind": kind = SourceKind(rawValue: try value.oneOf(SourceKind.allCases.map(\.rawValue)))
            case "format": format = SourceFormat(rawValue: try value.oneOf(SourceFormat.allCases.map(\.rawValue))) ?? .csv
            case "path":
                guard files == nil else { throw value.error("give either path or glob, not both") }
                let resolved = resolve(try value.nonEmptyString(), base: base)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
                    throw value.error("no such file: \(resolved)")
                }
                if isDirectory.boolValue {
                    // A folder of submissions (ODK): every .xml file below it, in name order.
                    let found = (FileManager.default.enumerator(atPath: resolved)?.allObjects as? [String] ?? [])
                        .filter { $0.lowercased().hasSuffix(".xml") }.sorted().map { "\(resolved)/\($0)" }
                    guard !found.isEmpty else { throw value.error("the folder \(resolved) holds no .xml file") }
                    files = found
                    pathIsFolder = true
                } else {
                    files = [resolved]
                }
            case "glob":
                guard files == nil else { throw value.error("give either path or glob, not both") }
                let pattern = resolve(try value.nonEmptyString(), base: base)
                let matches = Glob.match(pattern)
                guard !matches.isEmpty else { throw value.error("no file matches \(pattern)") }
                files = matches
            case "csv": csv = try parseCSVOptions(value)
            case "xml":
                xmlNode = value
                for (k, _, v) in try value.mapping(allowed: ["record", "namespaces", "worksheet", "on_error"]) {
                    switch k {
                    case "record":
                        let record = try v.nonEmptyString()
                        guard record.hasPrefix("/") else { throw v.error("expected a path from the root, like /Export/Session/Participant") }
                        xml.record = record
                    case "namespaces":
                        for (prefix, _, uri) in try v.mapping(allowed: nil) { xml.namespaces[prefix] = try uri.nonEmptyString() }
                    case "on_error":
                        xml.dropOnError = try v.oneOf(["keep", "drop"]) == "drop"
                    default: xml.worksheet = try v.nonEmptyString()
                    }
                }
            case "columns":
                columnsNode = value
                for (field, _, ref) in try value.mapping(allowed: nil) { columns[field] = try columnRef(ref) }
            case "counts":
                for (type, _, ref) in try value.mapping(allowed: stakeholders.ids) { counts[type] = try columnRef(ref) }
            case "wave": waveNode = value
            case "stakeholder_type":
                let raw = try value.nonEmptyString()
                guard let id = stakeholders.resolve(raw) else {
                    throw value.error("'\(raw)' is not a stakeholder type; expected one of: \(stakeholders.ids.joined(separator: ", "))")
                }
                fixedType = id
            case "items": itemsNode = value
            default: break
            }
        }
        guard let name else { throw node.error("missing key 'name'") }
        guard let kind else { throw node.error("missing key 'kind' (one of: \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        guard let files else { throw node.error("missing key 'path' (or 'glob')") }
        guard let columnsNode else { throw node.error("missing key 'columns' (canonical field: column header)") }
        let known = FieldCatalog.all(kind)
        for (field, keyLine, _) in try columnsNode.mapping(allowed: nil) where !known.contains(field) {
            let suggestion = known.min { levenshtein($0, field) < levenshtein($1, field) }
            var message = "unknown field for a \(kind.rawValue) source; expected one of: \(known.joined(separator: ", "))"
            if let suggestion, levenshtein(suggestion, field) <= 3 { message += " (did you mean '\(suggestion)'?)" }
            throw PipelineFileError(file: node.file, line: keyLine, key: "\(columnsNode.path).\(field)", message: message)
        }
        let missing = FieldCatalog.required(kind).filter { columns[$0] == nil }
        if !missing.isEmpty { throw columnsNode.error("missing required field(s): \(missing.joined(separator: ", "))") }
        if kind != .actions, !counts.isEmpty { throw node.error("'counts' only applies to actions sources") }
        if pathIsFolder && format != .odk { throw node.error("a folder as 'path' only applies to format: odk") }
        if format == .xml && xml.record == nil {
            throw (xmlNode ?? node).error("format xml needs xml.record: the path of the record elements, like /Export/Session/Participant")
        }
        var wave = WaveSpec.column
        var items: [(id: String, columns: ItemColumns)] = []
        if kind == .responses {
            if let waveNode {
                let w = try waveNode.oneOf(["pre", "post", "retrospective", "column"])
                wave = w == "column" ? .column : .fixed(Wave(rawValue: w) ?? .pre)
            }
            if wave == .column && columns["wave"] == nil {
                throw node.error("a responses source needs 'wave: pre|post|retrospective', or 'wave: column' with columns.wave")
            }
            if fixedType == nil && columns["stakeholder_type"] == nil {
                throw node.error("a responses source needs 'stakeholder_type: …' for all its rows, or columns.stakeholder_type")
            }
            guard let itemsNode else { throw node.error("missing key 'items' (questionnaire item id: column header)") }
            let retrospective = wave == .fixed(.retrospective)
            for (id, keyLine, ref) in try itemsNode.mapping(allowed: nil) {
                guard questionnaire.index(ofItem: id) != nil else {
                    throw PipelineFileError(file: node.file, line: keyLine, key: "\(itemsNode.path).\(id)",
                                            message: "not an item of the questionnaire; expected one of: \(questionnaire.items.map(\.id).joined(separator: ", "))")
                }
                if case .mapping = ref.node {
                    guard retrospective else { throw ref.error("before/after columns only apply to 'wave: retrospective' sources") }
                    var before: ColumnRef?, after: ColumnRef?
                    for (k, _, v) in try ref.mapping(allowed: ["before", "after"]) {
                        if k == "before" { before = try columnRef(v) } else { after = try columnRef(v) }
                    }
                    guard let before, let after else { throw ref.error("expected both 'before' and 'after' columns") }
                    items.append((id, .beforeAfter(before: before, after: after)))
                } else {
                    guard !retrospective else { throw ref.error("a retrospective source maps each item to {before: column, after: column}") }
                    items.append((id, .single(try columnRef(ref))))
                }
            }
            guard !items.isEmpty else { throw itemsNode.error("at least one item is expected") }
        } else if waveNode != nil || fixedType != nil || itemsNode != nil {
            throw node.error("'wave', 'stakeholder_type' and 'items' only apply to responses sources")
        }
        return SourceConfig(name: name, kind: kind, format: format, files: files, csv: csv, xml: xml, columns: columns,
                            counts: counts, wave: wave, fixedStakeholderType: fixedType, items: items, line: node.line)
    }

    static func columnRef(_ node: YAMLNode) throws -> ColumnRef {
        guard case .scalar(let s) = node.node else { throw node.error("expected a column header (text) or a column number") }
        if s.style == .plain, let position = Int(s.string) {
            guard position >= 1 else { throw node.error("column numbers start at 1") }
            return .position(position)
        }
        return .name(try node.nonEmptyString())
    }

    static let encodings = ["auto", "utf-8", "windows-1252", "iso-8859-1", "iso-8859-15",
                            "utf-16le", "utf-16be", "utf-32le", "utf-32be"]

    static func parseCSVOptions(_ node: YAMLNode) throws -> CSVOptions {
        var options = CSVOptions()
        for (key, _, value) in try node.mapping(allowed: ["delimiter", "encoding", "header_row"]) {
            switch key {
            case "delimiter":
                let d = try value.string()
                let named = ["tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"]
                let c = named[d] ?? d
                guard c.utf8.count == 1, let byte = c.utf8.first, [",", ";", "\t", "|"].contains(c) else {
                    throw value.error("expected one of ',' ';' '|' 'tab' (or leave it out to detect); found '\(d)'")
                }
                options.delimiter = byte
            case "encoding":
                let e = try value.string().lowercased()
                let aliases = ["utf8": "utf-8", "cp1252": "windows-1252", "latin-1": "iso-8859-1", "latin1": "iso-8859-1",
                               "latin-9": "iso-8859-15", "latin9": "iso-8859-15"]
                let canonical = aliases[e] ?? e
                guard encodings.contains(canonical) else {
                    throw value.error("expected one of: \(encodings.joined(separator: ", ")); found '\(e)'")
                }
                options.encoding = canonical == "auto" ? nil : canonical
            case "header_row":
                options.headerRow = try value.int(in: 1...1_000)
            default: break
            }
        }
        return options
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
