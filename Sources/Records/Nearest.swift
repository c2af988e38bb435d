/// "Did you mean …?": the nearest of a few known words to a typo, for every message that suggests one.
public enum Nearest {
    /// Edit distance (insertions, deletions, substitutions) between two texts, by character.
    public static func distance(_ a: String, _ b: String) -> Int { distance(Array(a), Array(b)) }

    /// Edit distance between two sequences (bytes of folded keys compare fastest).
    public static func distance<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Edit distance between two sequences when it is at most `limit`, else nil; stops as soon as every
    /// alignment exceeds it, so comparing a long word against thousands of names stays cheap.
    public static func distance<T: Equatable>(_ a: [T], _ b: [T], atMost limit: Int) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMinimum = Swift.min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }

    /// The candidate nearest to `word` when it is close enough to be a typo of it: within 3 edits as
    /// written, and within a third of the word's length; compared folded (case, accents, punctuation)
    /// when `folded`. Nil when nothing is that close, or when `word` is itself a candidate.
    public static func suggestion(for word: String, among candidates: [String], folded: Bool = false) -> String? {
        let key = folded ? Fold.key(word) : word
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let d = distance(key, folded ? Fold.key(candidate) : candidate)
            if d == 0 { return folded && candidate != word ? candidate : nil }
            if best.map({ d < $0.distance }) ?? true { best = (candidate, d) }
        }
        guard let best, best.distance <= 3, best.distance * 3 <= max(key.count, 3) else { return nil }
        return best.candidate
    }
}
