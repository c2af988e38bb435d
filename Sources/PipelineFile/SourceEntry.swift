import Foundation
import Records

/// One `sources:` entry as its keys are read, before the checks that need all of them.
struct SourceEntry {
    let node: YAMLNode
    let base: String
    let stakeholders: Vocabulary
    var name: String?
    var kind: SourceKind?
    var format = SourceFormat.csv
    var formatGiven = false
    var sheet: SheetChoice?
    var sheetNode: YAMLNode?
    var files: [String]?
    var csv = CSVOptions()
    var xml = XMLOptions()
    var xmlNode: YAMLNode?
    /// A folder given as `path`: an ODK folder of submissions, listed once the format is known.
    var folderNode: YAMLNode?
    var skipped: [String] = []
    var columns: [String: ColumnRef] = [:]
    var columnsNode: YAMLNode?
    var counts: [String: ColumnRef] = [:]
    var columnLines: [String: Int] = [:]
    var waveNode: YAMLNode?
    var fixedType: String?
    var itemsNode: YAMLNode?

    static let keys = ["name", "kind", "format", "path", "glob", "csv", "xml", "sheet", "columns", "counts", "wave", "stakeholder_type", "items"]

    /// Reads every key of `node`, in the order written (the first mistake is the one reported).
    init(_ node: YAMLNode, base: String, stakeholders: Vocabulary) throws {
        self.node = node
        self.base = base
        self.stakeholders = stakeholders
        for (key, _, value) in try node.mapping(allowed: Self.keys) {
            switch key {
            case "name": name = try value.nonEmptyString()
            case "kind": kind = SourceKind(rawValue: try value.oneOf(SourceKind.allCases.map(\.rawValue)))
            case "format":
                let name = try value.oneOf(SourceFormat.allCases.map(\.rawValue) + ["xlsm"])
                format = name == "xlsm" ? .xlsx : SourceFormat(rawValue: name) ?? .csv
                formatGiven = true
            case "sheet": try readSheet(value)
            case "path": try readPath(value)
            case "glob": try readGlob(value)
            case "csv": csv = try PipelineLoader.parseCSVOptions(value)
            case "xml": try readXML(value)
            case "columns":
                columnsNode = value
                for (field, keyLine, ref) in try value.mapping(allowed: nil) {
                    columns[field] = try PipelineLoader.columnRef(ref)
                    columnLines["columns.\(field)"] = keyLine
                }
            case "counts":
                for (type, keyLine, ref) in try value.mapping(allowed: stakeholders.ids) {
                    counts[type] = try PipelineLoader.columnRef(ref)
                    columnLines["counts.\(type)"] = keyLine
                }
            case "wave": waveNode = value
            case "stakeholder_type": try readStakeholderType(value)
            case "items": itemsNode = value
            default: break
            }
        }
    }

    mutating func readSheet(_ value: YAMLNode) throws {
        sheetNode = value
        guard case .scalar(let s) = value.node else { throw value.error("expected a sheet name, or its position (1 for the first)") }
        if s.style == .plain, let position = Int(s.string) {
            guard position >= 1 else { throw value.error("sheet positions start at 1") }
            sheet = .position(position)
        } else {
            sheet = .name(try value.nonEmptyString())
        }
    }

    mutating func readPath(_ value: YAMLNode) throws {
        guard files == nil else { throw value.error("give either path or glob, not both") }
        let resolved = PipelineLoader.resolve(try value.nonEmptyString(), base: base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            throw MissingInput(error: value.error("no such file: \(resolved)" + MissingInput.nearest(to: resolved)))
        }
        // A folder is an ODK folder of submissions (listed once the format is known), or an
        // input that cannot be read (the source is then reported unreadable, exit 1).
        files = [resolved]
        folderNode = isDirectory.boolValue ? value : nil
    }

    mutating func readGlob(_ value: YAMLNode) throws {
        guard files == nil else { throw value.error("give either path or glob, not both") }
        let pattern = PipelineLoader.resolve(try value.nonEmptyString(), base: base)
        let matches = Glob.match(pattern)
        guard !matches.isEmpty else { throw MissingInput(error: value.error("no file matches \(pattern)" + MissingInput.nearest(to: pattern))) }
        let (kept, folders) = PipelineLoader.splitFolders(matches)
        guard !kept.isEmpty else { throw value.error("no file matches \(pattern) (only folders: \(folders.count))") }
        files = kept
        skipped = folders
    }

    mutating func readXML(_ value: YAMLNode) throws {
        xmlNode = value
        for (k, _, v) in try value.mapping(allowed: ["record", "namespaces", "worksheet", "on_error", "max_record_bytes"]) {
            switch k {
            case "record":
                let record = try v.nonEmptyString()
                guard record.hasPrefix("/") else { throw v.error("expected a path from the root, like /Export/Session/Participant") }
                xml.record = record
            case "namespaces":
                for (prefix, _, uri) in try v.mapping(allowed: nil) { xml.namespaces[prefix] = try uri.nonEmptyString() }
            case "on_error":
                xml.dropOnError = try v.oneOf(["keep", "drop"]) == "drop"
            case "max_record_bytes":
                xml.maxRecordBytes = try v.int(in: 1_000...1_000_000_000)
            default: xml.worksheet = try v.nonEmptyString()
            }
        }
    }

    mutating func readStakeholderType(_ value: YAMLNode) throws {
        let raw = try value.nonEmptyString()
        guard let id = stakeholders.resolve(raw) else {
            throw value.error("'\(raw)' is not a stakeholder type; expected one of: \(stakeholders.ids.joined(separator: ", "))"
                              + YAMLNode.didYouMean(raw, among: stakeholders.ids, folded: true))
        }
        fixedType = id
    }

    /// An ODK folder's submissions: every .xml file below it, in name order.
    mutating func listFolder() throws {
        guard let folderNode, format == .odk, let folder = files?.first else { return }
        let found = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
            .filter { $0.lowercased().hasSuffix(".xml") }.sorted().map { "\(folder)/\($0)" }
        let (kept, folders) = PipelineLoader.splitFolders(found)
        guard !kept.isEmpty else { throw folderNode.error("the folder \(folder) holds no .xml file") }
        files = kept
        skipped = folders
    }

    /// Every `columns` key is a field of `kind` (with the nearest one suggested), and every required one is there.
    func checkFields(of kind: SourceKind, in columnsNode: YAMLNode) throws {
        let known = FieldCatalog.all(kind)
        for (field, keyLine, _) in try columnsNode.mapping(allowed: nil) where !known.contains(field) {
            let suggestion = known.min { levenshtein($0, field) < levenshtein($1, field) }
            var message = "unknown field for \(kind == .actions || kind == .attendance ? "an" : "a") \(kind.rawValue) source; expected one of: \(known.joined(separator: ", "))"
            if let suggestion, levenshtein(suggestion, field) <= 3 { message += " (did you mean '\(suggestion)'?)" }
            throw PipelineFileError(file: node.file, line: keyLine, key: "\(columnsNode.path).\(field)", message: message)
        }
        let missing = FieldCatalog.required(kind).filter { columns[$0] == nil }
        if !missing.isEmpty { throw columnsNode.error("missing required field(s): \(missing.joined(separator: ", "))") }
    }

    /// Keys that only some kinds or formats take.
    func checkCombinations(kind: SourceKind) throws {
        if kind != .actions, !counts.isEmpty { throw node.error("'counts' only applies to actions sources") }
        if let sheetNode, formatGiven, !format.isWorkbook {
            throw sheetNode.error("'sheet' applies to workbooks (format: xlsx or ods, or no format); for SpreadsheetML 2003 use xml.worksheet")
        }
        if format == .xml && xml.record == nil {
            throw (xmlNode ?? node).error("format xml needs xml.record: the path of the record elements, like /Export/Session/Participant")
        }
        if kind != .responses, waveNode != nil || fixedType != nil || itemsNode != nil {
            throw node.error("'wave', 'stakeholder_type' and 'items' only apply to responses sources")
        }
    }

    /// A responses source's wave and its items' columns (before and after ones for a retrospective wave).
    mutating func responseItems(questionnaire: Questionnaire) throws -> (WaveSpec, [(id: String, columns: ItemColumns)]) {
        var wave = WaveSpec.column
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
        var items: [(id: String, columns: ItemColumns)] = []
        for (id, keyLine, ref) in try itemsNode.mapping(allowed: nil) {
            guard questionnaire.index(ofItem: id) != nil else {
                throw PipelineFileError(file: node.file, line: keyLine, key: "\(itemsNode.path).\(id)",
                                        message: "not an item of the questionnaire; expected one of: \(questionnaire.items.map(\.id).joined(separator: ", "))"
                                            + YAMLNode.didYouMean(id, among: questionnaire.items.map(\.id)))
            }
            columnLines["items.\(id)"] = keyLine
            items.append((id, try Self.itemColumns(ref, retrospective: retrospective)))
        }
        guard !items.isEmpty else { throw itemsNode.error("at least one item is expected") }
        return (wave, items)
    }

    /// One item's column, or its before and after columns.
    static func itemColumns(_ ref: YAMLNode, retrospective: Bool) throws -> ItemColumns {
        guard case .mapping = ref.node else {
            guard !retrospective else { throw ref.error("a retrospective source maps each item to {before: column, after: column}") }
            return .single(try PipelineLoader.columnRef(ref))
        }
        guard retrospective else { throw ref.error("before/after columns only apply to 'wave: retrospective' sources") }
        var before: ColumnRef?, after: ColumnRef?
        for (k, _, v) in try ref.mapping(allowed: ["before", "after"]) {
            if k == "before" { before = try PipelineLoader.columnRef(v) } else { after = try PipelineLoader.columnRef(v) }
        }
        guard let before, let after else { throw ref.error("expected both 'before' and 'after' columns") }
        return .beforeAfter(before: before, after: after)
    }
}
