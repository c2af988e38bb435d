import Foundation
import PipelineFile
import Records

/// What `impact preview` says of a table: how wide its records are, what each column holds, and
/// a ready source entry for a kind.
public enum TableReport {
    /// Fields per record, with the lines of the odd widths.
    public static func widths(_ table: ExportTable) -> [String] {
        guard let usual = table.usualWidth else { return [] }
        let header = table.references.count
        var lines: [String] = []
        if table.widths.count == 1 {
            lines.append("fields per record: \(usual) in every record" + (usual == header ? "" : " (the header has \(header))"))
            return lines
        }
        let counts = table.widths.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        lines.append("fields per record: " + counts.map { "\($0.key) in \(plural($0.value, "record"))" }.joined(separator: ", ")
                     + "; the header has \(header)")
        for (width, count) in counts where width != usual {
            let shown = (table.linesByWidth[width] ?? []).map(String.init).joined(separator: ", ")
            lines.append("  \(width) fields: line\(count == 1 ? "" : "s") \(shown)\(count > ExportTable.keptRecords ? ", …" : "")"
                         + (width > header ? " (a delimiter inside an unquoted value?)" : ""))
        }
        return lines
    }

    /// One line per column: its name, what it holds, how much is empty, and its values when few
    /// (never for a column that may hold persons: keys, names, e-mails, phones, free text).
    public static func columns(_ table: ExportTable) -> [String] {
        var lines = ["columns: \(table.references.count)"]
        for (i, profile) in table.profiles.enumerated() {
            var line = "  \(i + 1). \(table.references[i]) — \(profile.inferredType)"
            if profile.filled > 0, profile.empty > 0 {
                let percent = Int((profile.emptyShare * 100).rounded())
                line += percent == 0 ? ", \(profile.empty) empty" : ", \(percent) % empty"
            }
            if profile.filled > 0, !profile.isLikert, profile.share(profile.dates) < 0.8 {
                if !personLike(table.names[i], profile), profile.complete, profile.distinct.count <= 12 {
                    let values = profile.distinct.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                    line += ": " + values.map { "\(Proposals.shown($0.key)) ×\($0.value)" }.joined(separator: ", ")
                } else {
                    line += ", \(profile.complete ? "" : "more than ")\(profile.distinct.count) distinct"
                }
            } else if profile.isLikert {
                line += " (\(profile.distinct.count) distinct answers)"
            }
            lines.append(line)
        }
        return lines
    }

    /// Whether a column may hold persons: its values are not listed.
    static func personLike(_ name: String, _ profile: ColumnProfile) -> Bool {
        if profile.share(profile.emails) >= 0.2 || profile.share(profile.phones) >= 0.2 { return true }
        if profile.totalLength > 40 * max(profile.filled, 1) { return true }
        return ["person", "respondent", "candidate", "last_name", "first_name", "comment"].contains { FieldSynonyms.score(name, field: $0) >= 0.9 }
    }

    /// A source entry mapping `table` as `kind`, ready to paste under `sources:` (paths relative to `folder`).
    public static func suggestion(_ table: ExportTable, kind: SourceKind, folder: String) -> String {
        let guess = SourceGuesser().guess(table, as: kind)
        let name = PipelineDraft.sourceName(file: table.path, sheet: nil)
        var writer = DraftWriter(sources: [DraftSource(name: name, guess: guess)], base: folder, folder: folder, matchers: Matchers())
        return writer.entry()
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
}
