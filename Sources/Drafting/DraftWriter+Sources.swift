import Foundation
import PipelineFile
import Records

extension DraftWriter {
    mutating func writeSources() {
        out.line(0, "sources:")
        for source in sources {
            var block = YAMLText()
            writeSource(source, into: &block)
            if source.commentedOut && !commentIncomplete {
                out.comment(2, "TODO: no column found for \(source.guess.missing.joined(separator: ", ")): add each under columns (or fix the kind)")
                out.append(block)
            } else if source.commentedOut {
                out.comment(2, "TODO: no column found for \(source.guess.missing.joined(separator: ", ")) in \(relative(source.guess.table.path))"
                            + " (it looks like \(source.guess.kind.rawValue)): map it, then uncomment this source")
                out.commentedOut(block, indent: 2)
            } else {
                out.append(block)
            }
            out.blank()
        }
    }

    func relative(_ path: String) -> String { PipelineLoader.relative(path, from: base) }

    private func writeSource(_ source: DraftSource, into block: inout YAMLText) {
        let guess = source.guess, table = guess.table
        block.line(2, "- name: \(YAMLText.scalar(source.name))")
        block.line(4, "kind: \(guess.kind.rawValue)", commentIncomplete ? "check: guessed from its columns" : nil)
        switch table.layout {
        case .csv: break
        case .workbook(let kind, _, _, _): block.line(4, "format: \(kind)")
        case .spreadsheetML: block.line(4, "format: spreadsheetml", "Excel \"XML Spreadsheet 2003\"")
        case .partnerXML: block.line(4, "format: xml")
        case .odk: block.line(4, "format: odk", "ODK / Kobo submissions")
        }
        block.line(4, "path: \(YAMLText.scalar(relative(table.path)))", Self.describe(table))
        if case .workbook(_, let sheet, let position, let sheets) = table.layout, sheets.count > 1 || position != 1 {
            block.line(4, "sheet: \(YAMLText.quoted(sheet))", "of \(sheets.count) sheets: \(sheets.map { "'\($0)'" }.joined(separator: ", "))")
        }
        if case .partnerXML(let record, let namespaces) = table.layout {
            block.line(4, "xml:")
            block.line(6, "record: \(YAMLText.scalar(record))", "the most repeated element")
            if let uri = namespaces["p"] { block.line(6, "namespaces: {p: \(YAMLText.quoted(uri))}") }
        }
        if let fixed = source.fixedType { block.line(4, "stakeholder_type: \(fixed.id)", fixed.why) }
        if guess.kind == .responses { block.line(4, "wave: \(source.wave.spec)", source.wave.why) }
        block.line(4, "columns:")
        for (field, column) in guess.fields {
            block.line(6, "\(field): \(Self.reference(table.references[column]))", note(field, column: column, guess: guess))
        }
        if !guess.counts.isEmpty {
            block.line(4, "counts:", "head counts, for actions without an attendance sheet")
            for (type, column) in guess.counts { block.line(6, "\(type): \(Self.reference(table.references[column]))") }
        }
        if guess.kind == .responses {
            block.line(4, "items:")
            for column in guess.items { block.line(6, "\(source.itemIDs[column] ?? "item"): \(Self.reference(table.references[column]))") }
            for (pair, id) in zip(guess.pairs, source.pairIDs + Array(repeating: "item", count: max(0, guess.pairs.count - source.pairIDs.count))) {
                block.line(6, "\(id): {before: \(Self.reference(table.references[pair.before], flow: true)), after: \(Self.reference(table.references[pair.after], flow: true))}")
            }
        }
        let unused = guess.unused.map { "\(table.names[$0]) (\(table.profiles[$0].inferredType))" }
        if !unused.isEmpty { block.comment(4, "not read: " + unused.joined(separator: ", ")) }
    }

    /// A column as the pipeline file refers to it: a name, or a number for a column without one.
    static func reference(_ ref: String, flow: Bool = false) -> String {
        if ref.hasPrefix("#"), let n = Int(ref.dropFirst()) { return "\(n)" }
        return YAMLText.scalar(ref, flow: flow)
    }

    /// How the file is read, in a comment.
    static func describe(_ table: ExportTable) -> String {
        var parts: [String] = []
        switch table.layout {
        case .csv(let encoding, let encodingEvidence, let delimiter, let delimiterEvidence, let dialect):
            let d = delimiter == UInt8(ascii: "\t") ? "tab" : delimiter == UInt8(ascii: " ") ? "spaces" : "'\(String(UnicodeScalar(delimiter)))'"
            parts.append("CSV, \(encoding) (\(encodingEvidence)), \(d) (\(delimiterEvidence))" + (dialect.isEmpty ? "" : ", \(dialect)"))
        case .workbook(_, let sheet, _, _): parts.append("sheet '\(sheet)'")
        case .spreadsheetML, .partnerXML: break
        case .odk(let files): parts.append("\(files) instance file\(files == 1 ? "" : "s")")
        }
        if table.headerNumber > 1 {
            let above = table.skipped.count
            parts.append("header on \(table.layout.isSheet ? "row" : "record") \(table.headerNumber)" + (above > 0 ? " (\(above) line\(above == 1 ? "" : "s") above it, skipped)" : ""))
        }
        parts.append("\(table.records) records")
        return parts.joined(separator: "; ")
    }

    /// Why a column was mapped, when it is worth saying.
    private func note(_ field: String, column: Int, guess: SourceGuess) -> String? {
        let table = guess.table, profile = table.profiles[column]
        let header = FieldSynonyms.score(table.names[column], field: field)
        var notes: [String] = []
        switch field {
        case "person": notes.append("the person's key: hashed at once, never written out")
        case "respondent", "candidate": notes.append("pseudonym: hashed at once, never written out")
        case "last_name", "first_name": notes.append("never written out; only masks names in quoted comments")
        case "date", "contract_start", "contract_end": if let shape = profile.dateShape { notes.append("dates \(shape)") }
        case "action_id" where guess.kind != .actions && !actionIDsSeen.isEmpty && profile.complete && actionIDsComplete:
            let hits = profile.distinct.reduce(0) { $0 + (actionIDsSeen.contains(Fold.key($1.key)) ? $1.value : 0) }
            if profile.filled > 0 { notes.append("\(hits * 100 / profile.filled) % of its values are action ids of the actions sources") }
        case "territory", "stakeholder_type", "action_type", "event", "contract", "referrer_type", "wave":
            notes.append("labels: see vocabularies" + (field == "wave" ? " and questionnaire.waves" : ""))
        default: break
        }
        if header < 0.9 { notes.append("check: matched by its \(header > 0 ? "header's words and " : "")values") }
        if profile.emptyShare >= 0.5, !["contract", "contract_start", "contract_end", "contract_months", "comment", "action_id"].contains(field) {
            notes.append("\(Int(profile.emptyShare * 100)) % empty")
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }
}

extension ExportLayout {
    var isSheet: Bool {
        switch self {
        case .workbook, .spreadsheetML: return true
        default: return false
        }
    }
}
