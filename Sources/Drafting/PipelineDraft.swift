import Foundation
import IngestWorkbook
import IngestXML
import InputFiles
import PipelineFile
import Records

/// `impact init` cannot draft a pipeline file: why, in one line.
public struct DraftError: ImpactError {
    public let message: String
    public var description: String { message }
}

/// A source the draft declares: its table's guess, and the choices made for it.
struct DraftSource: Sendable {
    let name: String
    let guess: SourceGuess
    /// Required fields are missing: written commented out, for a human to finish.
    var commentedOut: Bool { !guess.missing.isEmpty }
    /// Responses: the stakeholder type of every row when no column says it, and why.
    var fixedType: (id: String, why: String)?
    /// Responses: `column`, `retrospective`, `pre` or `post`, and why.
    var wave: (spec: String, why: String) = ("", "")
    /// Responses: item id per single answer column, and per retrospective pair.
    var itemIDs: [Int: String] = [:]
    var pairIDs: [String] = []
}

/// A drafted pipeline file: its text, and what was read to write it.
public struct PipelineDraft: Sendable {
    public let text: String
    /// One line per export: what it was taken for, or why it was left out.
    public let report: [String]
    /// Lines of the text that hold a "TODO".
    public var todos: Int { Self.todoLines(text).count }

    /// The 1-based lines of a pipeline file's text whose comment holds a "TODO:" (a draft's decisions left).
    public static func todoLines(_ text: String) -> [Int] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, line in
            guard let hash = line.firstIndex(of: "#"), line[hash...].contains("TODO:") || line[hash...].contains("TODO (") else { return nil }
            return i + 1
        }
    }

    /// Drafts a pipeline file for the exports in `folder`, to be written at `pipelinePath` (paths in
    /// it are relative to that file's folder). The text is checked by the pipeline file's loader.
    public static func make(folder: String, pipelinePath: String) throws -> PipelineDraft {
        let folderURL = URL(fileURLWithPath: folder).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folderURL.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DraftError(message: "\(folder): no such folder; give the folder holding the exports (impact init FOLDER)")
        }
        let base = URL(fileURLWithPath: pipelinePath).standardizedFileURL.deletingLastPathComponent().path
        let (tables, found) = try readFolder(folderURL, base: base)
        var report = found
        var guesser = SourceGuesser()
        let first = tables.map { guesser.guess($0.table) }
        for (i, guess) in first.enumerated() where guess?.kind == .actions {
            if let column = guess?.column("action_id") {
                guesser.actionIDs.formUnion(tables[i].table.profiles[column].distinct.keys.map(Fold.key))
            }
        }
        var sources = choose(tables, guesser: guesser, report: &report)
        guard sources.contains(where: { !$0.commentedOut }) else {
            let why = tables.isEmpty ? "no CSV, XML or workbook file found"
                : "\(tables.count) table\(tables.count == 1 ? "" : "s") read, none with the columns of an actions, attendance, responses or pathway export"
            throw DraftError(message: "\(folder): no export could be drafted as a source (\(why)); impact preview FILE shows what a file holds, --suggest KIND maps it as you say")
        }
        let kindOrder = SourceKind.allCases
        sources.sort { (kindOrder.firstIndex(of: $0.guess.kind) ?? 0, $0.name) < (kindOrder.firstIndex(of: $1.guess.kind) ?? 0, $1.name) }
        var writer = DraftWriter(sources: sources, base: base, folder: PipelineLoader.relative(folderURL.path, from: base), matchers: guesser.matchers)
        let text = writer.render()
        do {
            _ = try PipelineLoader.parse(text: text, file: pipelinePath, baseDirectory: base)
        } catch let error as PipelineFileError {
            throw DraftError(message: "the drafted pipeline file does not load (\(error.description)); this is a bug of impact init: please report it with the exports' headers")
        }
        return PipelineDraft(text: text, report: report)
    }

    /// Every export of the folder as tables (a workbook's sheets, a sub-folder of ODK submissions),
    /// with a line per file left out and why.
    static func readFolder(_ folderURL: URL, base: String) throws -> (tables: [(table: ExportTable, file: String)], report: [String]) {
        var report: [String] = []
        var tables: [(table: ExportTable, file: String)] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: folderURL.path).sorted() where !entry.hasPrefix(".") {
            let path = folderURL.appendingPathComponent(entry).path
            let shown = PipelineLoader.relative(path, from: base)
            var entryIsFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &entryIsFolder)
            if entryIsFolder.boolValue {
                guard let first = ExportReader.xmlFiles(below: path).first, ExportReader.isODKInstance(first) else {
                    report.append("\(shown)/: a folder, not read (only a folder of ODK / Kobo submissions is one source)")
                    continue
                }
                do {
                    if let table = try ExportReader.odkFolder(path) { tables.append((table, shown)) }
                } catch { report.append("\(shown)/: not read: \(Self.reason(error))") }
                continue
            }
            if Self.ignored.contains((entry as NSString).pathExtension.lowercased()) {
                report.append("\(shown): not an export (\((entry as NSString).pathExtension) file), left out")
                continue
            }
            do {
                let found = try ExportReader.tables(path: path)
                if found.isEmpty { report.append("\(shown): no table found (empty?), left out") }
                tables += found.map { ($0, shown) }
            } catch { report.append("\(shown): not read: \(Self.reason(error))") }
        }
        return (tables, report)
    }

    /// The sources among the tables guessed, named after their files; a line per table in `report`.
    static func choose(_ tables: [(table: ExportTable, file: String)], guesser: SourceGuesser, report: inout [String]) -> [DraftSource] {
        var sources: [DraftSource] = []
        var names = Set<String>()
        // Words most file names share (the programme's name) say nothing of a source.
        let stems = Set(tables.map { Set(Self.nameWords(($0.table.path as NSString).lastPathComponent)) })
        let common = Set(stems.flatMap { $0 }.filter { word in stems.count >= 3 && stems.filter { $0.contains(word) }.count * 2 >= stems.count })
        var perFile: [String: [SourceGuess]] = [:]
        for (table, file) in tables {
            guard let guess = guesser.guess(table) else {
                let columns = table.names.prefix(8).map { YAMLText.oneLine(String($0.prefix(40))) }.joined(separator: ", ")
                report.append("\(file)\(table.sheet.map { " (sheet \($0))" } ?? ""): not recognised as a source (columns: \(columns)), left out")
                continue
            }
            perFile[file, default: []].append(guess)
        }
        for (table, file) in tables {
            guard let guesses = perFile[file], let guess = guesses.first(where: { $0.table.sheet == table.sheet }) else { continue }
            // A workbook's complete sheets are sources; an incomplete one only when no sheet is complete.
            if !guess.missing.isEmpty, guesses.contains(where: { $0.missing.isEmpty }) {
                report.append("\(file) (sheet \(table.sheet ?? "")): not a complete \(guess.kind.rawValue) source, left out")
                continue
            }
            var name = Self.sourceName(file: table.path, sheet: guesses.count > 1 ? table.sheet : nil, dropping: common)
            if names.contains(name) { name += "-\(names.count + 1)" }
            names.insert(name)
            sources.append(DraftSource(name: name, guess: guess))
            let mapped = guess.fields.count + guess.counts.count + guess.items.count + guess.pairs.count * 2
            report.append("\(file)\(table.sheet.map { " (sheet \($0))" } ?? ""): \(guess.kind.rawValue), \(table.records) records, "
                          + "\(mapped) of \(table.references.count) columns read"
                          + (guess.missing.isEmpty ? "" : " — no column for \(guess.missing.joined(separator: ", ")): left commented out"))
        }
        return sources
    }

    /// Writes the draft at `path`, never over an existing file.
    public func write(to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            let why = errno == EEXIST ? "already exists; impact init never overwrites a file: choose another name with -o" : String(cString: strerror(errno))
            throw DraftError(message: "\(path): \(why)")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw DraftError(message: "\(path): cannot write: \(String(cString: strerror(errno)))") }
            written += n
        }
    }

    /// Extensions of files that are no exports.
    static let ignored: Set<String> = ["yml", "yaml", "md", "pdf", "doc", "docx", "odt", "png", "jpg", "jpeg", "json", "sqlite", "key",
                                       "html", "svg", "zip", "gz", "py", "sh", "log"]

    static func reason(_ error: Error) -> String {
        // The file is named before this: its errors' own messages, without the path.
        if let error = error as? WorkbookError { return error.message }
        if let error = error as? InputFileError { return error.message }
        if let error = error as? XMLReadError { return error.line > 0 ? "\(error.line):\(error.column): \(error.message)" : error.message }
        return String(describing: error)
    }

    /// A source's name from its file's: years and programme-year spans dropped ("actions_declic_2024-2025.csv" → actions-declic).
    static func sourceName(file: String, sheet: String?, dropping common: Set<String> = []) -> String {
        let words = nameWords((file as NSString).lastPathComponent)
        var kept = words.filter { !common.contains($0) }
        if kept.isEmpty { kept = words }
        if let sheet { kept += Fold.key(sheet).split(separator: " ").map(String.init) }
        let name = kept.joined(separator: "-")
        return name.isEmpty ? "source" : name
    }

    /// A file name's folded words, its extension and years left out.
    static func nameWords(_ file: String) -> [String] {
        Fold.key((file as NSString).deletingPathExtension).split(separator: " ").map(String.init)
            .filter { !($0.count == 4 && $0.allSatisfy(\.isNumber)) }
    }
}
