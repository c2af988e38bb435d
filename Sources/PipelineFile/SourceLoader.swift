import Foundation
import Records

/// The `sources:` entries: where files are, their format, dialect, columns and mapping.
extension PipelineLoader {
    static func parseSource(_ node: YAMLNode, base: String, stakeholders: Vocabulary, questionnaire: Questionnaire) throws -> SourceConfig {
        var entry = try SourceEntry(node, base: base, stakeholders: stakeholders)
        guard let name = entry.name else { throw node.error("missing key 'name'") }
        guard let kind = entry.kind else { throw node.error("missing key 'kind' (one of: \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        guard entry.files != nil else { throw node.error("missing key 'path' (or 'glob')") }
        try entry.listFolder()
        guard let columnsNode = entry.columnsNode else { throw node.error("missing key 'columns' (canonical field: column header)") }
        try entry.checkFields(of: kind, in: columnsNode)
        try entry.checkCombinations(kind: kind)
        let (wave, items) = kind == .responses ? try entry.responseItems(questionnaire: questionnaire) : (.column, [])
        var source = SourceConfig(name: name, kind: kind, format: entry.format, files: entry.files ?? [], csv: entry.csv, xml: entry.xml,
                                  columns: entry.columns, counts: entry.counts, wave: wave, fixedStakeholderType: entry.fixedType,
                                  items: items, line: node.line)
        source.sheet = entry.sheet
        source.formatGiven = entry.formatGiven
        source.columnLines = entry.columnLines
        source.skippedFolders = entry.skipped
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
        // Bounded: a folder of 90,000 names and a long typo once took 12 s under the fuzzer.
        let typed = Array(name.lowercased()), limit = max(name.count, 6) / 2
        let ranked = entries.compactMap { entry in
            Nearest.distance(typed, Array(entry.lowercased()), atMost: limit).map {
                (entry: entry, distance: $0, sameKind: (entry as NSString).pathExtension.lowercased() == ext)
            }
        }
            .sorted { ($0.sameKind ? 0 : 1, $0.distance, $0.entry) < ($1.sameKind ? 0 : 1, $1.distance, $1.entry) }
        func firstWord(_ s: String) -> Substring { s.lowercased().prefix { $0.isLetter || $0.isNumber } }
        let sameStart = entries.filter { ($0 as NSString).pathExtension.lowercased() == ext && !firstWord(name).isEmpty && firstWord($0) == firstWord(name) }
        guard let best = ranked.first?.entry ?? (sameStart.count == 1 ? sameStart[0] : nil) else { return "" }
        return " (did you mean \(folder.isEmpty ? "" : folder + "/")\(best)?)"
    }
}
