import Foundation
import Records

/// The `sources:` entries: where files are, their format, dialect, columns and mapping.
extension PipelineLoader {
    /// Indicators a target may be set for (counts and shares whose attainment reads naturally).
    static let targetable = ["actions", "participations", "participants", "organisations", "referrals", "interviews", "immersions",
                             "hires", "retained_6m", "hires_sustainable", "hires_sustainable_share", "hires_after_action",
                             "conversion_referral_to_hire"]

    static let sourceKeys = ["name", "kind", "format", "path", "glob", "csv", "xml", "sheet", "columns", "counts", "wave", "stakeholder_type", "items"]

    static func parseSource(_ node: YAMLNode, base: String, stakeholders: Vocabulary, questionnaire: Questionnaire) throws -> SourceConfig {
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
        var folderNode: YAMLNode?
        var skipped: [String] = []
        var columns: [String: ColumnRef] = [:]
        var columnsNode: YAMLNode?
        var counts: [String: ColumnRef] = [:]
        var columnLines: [String: Int] = [:]
        var waveNode: YAMLNode?
        var fixedType: String?
        var itemsNode: YAMLNode?
        for (key, _, value) in try node.mapping(allowed: sourceKeys) {
            switch key {
            case "name": name = try value.nonEmptyString()
            case "kind": kind = SourceKind(rawValue: try value.oneOf(SourceKind.allCases.map(\.rawValue)))
            case "format":
                let name = try value.oneOf(SourceFormat.allCases.map(\.rawValue) + ["xlsm"])
                format = name == "xlsm" ? .xlsx : SourceFormat(rawValue: name) ?? .csv
                formatGiven = true
            case "sheet":
                sheetNode = value
                guard case .scalar(let s) = value.node else { throw value.error("expected a sheet name, or its position (1 for the first)") }
                if s.style == .plain, let position = Int(s.string) {
                    guard position >= 1 else { throw value.error("sheet positions start at 1") }
                    sheet = .position(position)
                } else {
                    sheet = .name(try value.nonEmptyString())
                }
            case "path":
                guard files == nil else { throw value.error("give either path or glob, not both") }
                let resolved = resolve(try value.nonEmptyString(), base: base)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
                    throw MissingInput(error: value.error("no such file: \(resolved)" + MissingInput.nearest(to: resolved)))
                }
                // A folder is an ODK folder of submissions (listed once the format is known), or an
                // input that cannot be read (the source is then reported unreadable, exit 1).
                files = [resolved]
                folderNode = isDirectory.boolValue ? value : nil
            case "glob":
                guard files == nil else { throw value.error("give either path or glob, not both") }
                let pattern = resolve(try value.nonEmptyString(), base: base)
                let matches = Glob.match(pattern)
                guard !matches.isEmpty else { throw MissingInput(error: value.error("no file matches \(pattern)" + MissingInput.nearest(to: pattern))) }
                let (kept, folders) = splitFolders(matches)
                guard !kept.isEmpty else { throw value.error("no file matches \(pattern) (only folders: \(folders.count))") }
                files = kept
                skipped = folders
            case "csv": csv = try parseCSVOptions(value)
            case "xml":
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
            case "columns":
                columnsNode = value
                for (field, keyLine, ref) in try value.mapping(allowed: nil) {
                    columns[field] = try columnRef(ref)
                    columnLines["columns.\(field)"] = keyLine
                }
            case "counts":
                for (type, keyLine, ref) in try value.mapping(allowed: stakeholders.ids) {
                    counts[type] = try columnRef(ref)
                    columnLines["counts.\(type)"] = keyLine
                }
            case "wave": waveNode = value
            case "stakeholder_type":
                let raw = try value.nonEmptyString()
                guard let id = stakeholders.resolve(raw) else {
                    throw value.error("'\(raw)' is not a stakeholder type; expected one of: \(stakeholders.ids.joined(separator: ", "))"
                                      + YAMLNode.didYouMean(raw, among: stakeholders.ids, folded: true))
                }
                fixedType = id
            case "items": itemsNode = value
            default: break
            }
        }
        guard let name else { throw node.error("missing key 'name'") }
        guard let kind else { throw node.error("missing key 'kind' (one of: \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        guard var files else { throw node.error("missing key 'path' (or 'glob')") }
        if let folderNode, format == .odk, let folder = files.first {
            // A folder of submissions: every .xml file below it, in name order.
            let found = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
                .filter { $0.lowercased().hasSuffix(".xml") }.sorted().map { "\(folder)/\($0)" }
            let (kept, folders) = splitFolders(found)
            guard !kept.isEmpty else { throw folderNode.error("the folder \(folder) holds no .xml file") }
            files = kept
            skipped = folders
        }
        guard let columnsNode else { throw node.error("missing key 'columns' (canonical field: column header)") }
        let known = FieldCatalog.all(kind)
        for (field, keyLine, _) in try columnsNode.mapping(allowed: nil) where !known.contains(field) {
            let suggestion = known.min { levenshtein($0, field) < levenshtein($1, field) }
            var message = "unknown field for \(kind == .actions || kind == .attendance ? "an" : "a") \(kind.rawValue) source; expected one of: \(known.joined(separator: ", "))"
            if let suggestion, levenshtein(suggestion, field) <= 3 { message += " (did you mean '\(suggestion)'?)" }
            throw PipelineFileError(file: node.file, line: keyLine, key: "\(columnsNode.path).\(field)", message: message)
        }
        let missing = FieldCatalog.required(kind).filter { columns[$0] == nil }
        if !missing.isEmpty { throw columnsNode.error("missing required field(s): \(missing.joined(separator: ", "))") }
        if kind != .actions, !counts.isEmpty { throw node.error("'counts' only applies to actions sources") }
        if let sheetNode, formatGiven, !format.isWorkbook {
            throw sheetNode.error("'sheet' applies to workbooks (format: xlsx or ods, or no format); for SpreadsheetML 2003 use xml.worksheet")
        }
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
                                            message: "not an item of the questionnaire; expected one of: \(questionnaire.items.map(\.id).joined(separator: ", "))"
                                                + YAMLNode.didYouMean(id, among: questionnaire.items.map(\.id)))
                }
                columnLines["items.\(id)"] = keyLine
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
        var source = SourceConfig(name: name, kind: kind, format: format, files: files, csv: csv, xml: xml, columns: columns,
                                  counts: counts, wave: wave, fixedStakeholderType: fixedType, items: items, line: node.line)
        source.sheet = sheet
        source.formatGiven = formatGiven
        source.columnLines = columnLines
        source.skippedFolders = skipped
        return source
    }

    /// Matched paths split into those to read and folders (skipped, with a note): a pattern like
    /// `inputs/*` matches sub-folders too. FIFOs, devices and the like are kept, to be reported
    /// unreadable when read.
    static func splitFolders(_ paths: [String]) -> (files: [String], folders: [String]) {
        var files: [String] = [], folders: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                folders.append(path)
            } else {
                files.append(path)
            }
        }
        return (files, folders)
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
        for (key, _, value) in try node.mapping(allowed: ["delimiter", "encoding", "header_row", "skip_after_header"]) {
            switch key {
            case "delimiter":
                let d = try value.string()
                let named = ["tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|", "space": " "]
                let c = named[d] ?? d
                guard c.utf8.count == 1, let byte = c.utf8.first, [",", ";", "\t", "|", " "].contains(c) else {
                    throw value.error("expected one of ',' ';' '|' 'tab' 'space' (or leave it out to detect); found '\(d)'")
                }
                options.delimiter = byte
            case "encoding":
                let e = try value.string().lowercased()
                let aliases = ["utf8": "utf-8", "cp1252": "windows-1252", "latin-1": "iso-8859-1", "latin1": "iso-8859-1",
                               "latin-9": "iso-8859-15", "latin9": "iso-8859-15"]
                let canonical = aliases[e] ?? e
                guard encodings.contains(canonical) else {
                    throw value.error("expected one of: \(encodings.joined(separator: ", ")); found '\(e)'" + YAMLNode.didYouMean(e, among: encodings))
                }
                options.encoding = canonical == "auto" ? nil : canonical
            case "header_row":
                options.headerRow = try value.int(in: 1...1_000)
            case "skip_after_header":
                options.skipAfterHeader = try value.int(in: 0...20)
            default: break
            }
        }
        return options
    }

}

/// An input the pipeline file names that is not there (collected, so that all are reported at once).
struct MissingInput: Error {
    let error: PipelineFileError

    /// " (did you mean inputs/actions_2024-2025.csv?)": the file of the same folder whose name is
    /// nearest (within half its length in edits, the same extension first), else the only one of the
    /// same extension starting with the same word; or what part of the folder is missing.
    static func nearest(to path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            var existing = folder
            while !existing.isEmpty, !FileManager.default.fileExists(atPath: existing) { existing = (existing as NSString).deletingLastPathComponent }
            return " (the folder \(folder) does not exist\(existing.isEmpty ? "" : "; \(existing) does"))"
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []).filter { !$0.hasPrefix(".") }
        let ext = (name as NSString).pathExtension.lowercased()
        let ranked = entries.map { (entry: $0, distance: Nearest.distance(name.lowercased(), $0.lowercased()),
                                    sameKind: ($0 as NSString).pathExtension.lowercased() == ext) }
            .filter { $0.distance * 2 <= max(name.count, 6) }
            .sorted { ($0.sameKind ? 0 : 1, $0.distance, $0.entry) < ($1.sameKind ? 0 : 1, $1.distance, $1.entry) }
        func firstWord(_ s: String) -> Substring { s.lowercased().prefix { $0.isLetter || $0.isNumber } }
        let sameStart = entries.filter { ($0 as NSString).pathExtension.lowercased() == ext && !firstWord(name).isEmpty && firstWord($0) == firstWord(name) }
        guard let best = ranked.first?.entry ?? (sameStart.count == 1 ? sameStart[0] : nil) else { return "" }
        return " (did you mean \(folder.isEmpty ? "" : folder + "/")\(best)?)"
    }
}
