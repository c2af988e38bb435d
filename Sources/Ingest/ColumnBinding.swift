import PipelineFile
import Records

/// Canonical field → column, looked up by linear search: a binding holds a dozen fields, and
/// comparing short (inline) strings is cheaper than hashing them for a `Dictionary` (which took
/// 13 % of the mapping time, a dozen look-ups per record). Lengths are compared first: `==` on two
/// different strings takes Swift's slow comparison path (5 % of the CSV mapping thread).
struct FieldIndices {
    private let pairs: [(field: String, length: Int, column: Int)]

    init(_ dictionary: [String: Int]) {
        pairs = dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.key.utf8.count, $0.value) }
    }

    subscript(_ field: String) -> Int? {
        let length = field.utf8.count
        for pair in pairs where pair.length == length && pair.field == field { return pair.column }
        return nil
    }

    /// The canonical field read from 0-based `column`, if one is.
    func field(at column: Int) -> String? { pairs.first { $0.column == column }?.field }
}

/// Which column each canonical field reads, once the header row is known. A class: every row's
/// field reader refers to it (a copy per row was 5 retains).
final class ColumnBinding: Sendable {
    let indices: FieldIndices
    /// Participant-count columns by stakeholder type, sorted by type.
    let countIndices: [(type: String, column: Int)]
    /// Questionnaire item index → column of its answer (or of its "after" answer) and of its "before" answer.
    let itemIndices: [(item: Int, answer: Int, before: Int?)]
    let headerWidth: Int
    let header: [String]
    /// Columns read for every record, looked up once (a dozen look-ups by name per attendance line
    /// were 5 % of the CSV mapping thread).
    let actionID: Int?, person: Int?, stakeholderType: Int?, organisation: Int?
    /// The name columns present (last, first), whose words are kept to scrub quotes.
    let nameColumns: [Int]

    init(indices: FieldIndices, countIndices: [(type: String, column: Int)], itemIndices: [(item: Int, answer: Int, before: Int?)],
         headerWidth: Int, header: [String]) {
        self.indices = indices
        self.countIndices = countIndices
        self.itemIndices = itemIndices
        self.headerWidth = headerWidth
        self.header = header
        actionID = indices["action_id"]
        person = indices["person"]
        stakeholderType = indices["stakeholder_type"]
        organisation = indices["organisation"]
        nameColumns = ["last_name", "first_name"].compactMap { indices[$0] }
    }

    /// Binds `refs` to the header's columns; names match folded, `Nom#2` takes the second "Nom".
    /// `exact`: names match as written (XPaths and ODK paths), not folded.
    static func bind(header: [String], columns: [String: ColumnRef], counts: [String: ColumnRef],
                     items: [(item: Int, columns: ItemColumns)] = [], exact: Bool = false) -> (ColumnBinding?, [String]) {
        let folded = exact ? header : header.map { Fold.key($0) }
        var missing: [String] = []
        func index(_ ref: ColumnRef) -> Int? { locate(ref, header: header, folded: folded, exact: exact) }
        var indices: [String: Int] = [:]
        for (field, ref) in columns {
            if let i = index(ref) { indices[field] = i } else { missing.append("\(field) ← '\(ref)'") }
        }
        var countIndices: [String: Int] = [:]
        for (type, ref) in counts {
            if let i = index(ref) { countIndices[type] = i } else { missing.append("counts.\(type) ← '\(ref)'") }
        }
        var itemIndices: [(item: Int, answer: Int, before: Int?)] = []
        for (item, columns) in items {
            switch columns {
            case .single(let ref):
                if let i = index(ref) { itemIndices.append((item, i, nil)) } else { missing.append("item ← '\(ref)'") }
            case .beforeAfter(let before, let after):
                if let a = index(after), let b = index(before) { itemIndices.append((item, a, b)) } else { missing.append("item ← '\(before)' / '\(after)'") }
            }
        }
        guard missing.isEmpty else { return (nil, missing.sorted()) }
        return (ColumnBinding(indices: FieldIndices(indices), countIndices: countIndices.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                              itemIndices: itemIndices,
                              headerWidth: header.count, header: header), [])
    }

    /// The column `ref` names in `header` (`folded`: its cells folded, unless `exact`).
    static func locate(_ ref: ColumnRef, header: [String], folded: [String], exact: Bool) -> Int? {
        switch ref {
        case .position(let p): return p <= header.count ? p - 1 : nil
        case .name(let name):
            if exact { return header.firstIndex(of: name) }
            var wanted = name
            var occurrence = 1
            if let hash = name.lastIndex(of: "#"), let n = Int(name[name.index(after: hash)...]), n >= 1 {
                wanted = String(name[..<hash])
                occurrence = n
            }
            let key = Fold.key(wanted)
            let hits = folded.indices.filter { folded[$0] == key }
            return hits.count >= occurrence ? hits[occurrence - 1] : nil
        }
    }

    /// The references of `source` that `header` does not hold, keyed as the pipeline file writes
    /// them ("columns.person", "counts.industriel", "items.salaires"), for the message.
    static func unbound(header: [String], source: SourceConfig) -> [(key: String, ref: ColumnRef)] {
        let folded = header.map { Fold.key($0) }
        return source.keyedColumnReferences.filter { locate($0.ref, header: header, folded: folded, exact: false) == nil }.sorted { $0.key < $1.key }
    }
}
