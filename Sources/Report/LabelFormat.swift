/// Filling labels: `{n}` slots, plural forms chosen by rule, and the labels' light markup
/// (`**strong**`, `*emphasis*`, `` `code` ``) read into inline text the renderers share.
extension Labels {
    /// `{n|singular|plural}` replaced by the form the number in argument n takes: in French the
    /// singular up to 1 ("0 action", "1,5 point"), in English for exactly 1 ("0 actions").
    static func plurals(_ template: String, _ args: [String], language: String) -> String {
        guard template.contains("|") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let parts = rest[rest.index(after: open)..<close].split(separator: "|", omittingEmptySubsequences: false)
            if parts.count == 3, let n = Int(parts[0]), n >= 1, n <= args.count {
                out += isSingular(args[n - 1], language: language) ? parts[1] : parts[2]
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Whether a number written in prose ("1", "1 234", "0,5", "12.5") takes the singular.
    static func isSingular(_ number: String, language: String) -> Bool {
        let decimal: Unicode.Scalar = language == "fr" ? "," : "."
        let kept = number.unicodeScalars.filter { ("0"..."9").contains($0) || $0 == decimal }.map { $0 == decimal ? "." : Character($0) }
        guard let value = Double(String(kept)) else { return false }
        return language == "fr" ? value < 2 : value == 1
    }

    /// The label as inline text, `{n}` filled with `args` (plain text is never read as markup).
    public func rich(_ key: LabelKey, _ args: InlineConvertible...) -> Rich {
        let inlines = args.map(\.inlines)
        let template = Self.plurals(self[key], inlines.map(\.plain), language: language)
        return Self.fill(Self.markup(Substring(template)), inlines)
    }

    /// Plain text with a label's markup read: `**…**`, `*…*`, `` `…` ``.
    static func markup(_ s: Substring) -> Rich {
        var out: Rich = []
        var text = ""
        var i = s.startIndex
        func flush() { if !text.isEmpty { out.append(.text(text)); text = "" } }
        while i < s.endIndex {
            let rest = s[i...]
            if rest.hasPrefix("**"), let end = s[s.index(i, offsetBy: 2)...].range(of: "**") {
                flush()
                out.append(.strong(markup(s[s.index(i, offsetBy: 2)..<end.lowerBound])))
                i = end.upperBound
            } else if s[i] == "*" || s[i] == "`", let end = s[s.index(after: i)...].firstIndex(of: s[i]) {
                flush()
                let inner = s[s.index(after: i)..<end]
                out.append(s[i] == "*" ? .emphasis(markup(inner)) : .code(String(inner)))
                i = s.index(after: end)
            } else {
                text.append(s[i])
                i = s.index(after: i)
            }
        }
        flush()
        return out
    }

    /// `{n}` slots replaced by the arguments' inline text.
    static func fill(_ rich: Rich, _ args: [Rich]) -> Rich {
        rich.flatMap { inline -> Rich in
            switch inline {
            case .strong(let r): return [.strong(fill(r, args))]
            case .emphasis(let r): return [.emphasis(fill(r, args))]
            case .code(let s): return [.code(slots(s).map { $0.either { $0 <= args.count ? args[$0 - 1].plain : "{\($0)}" } }.joined())]
            case .text(let s):
                return slots(s).flatMap { $0.either(text: { [.text($0)] }, slot: { $0 <= args.count ? args[$0 - 1] : [.text("{\($0)}")] }) }
            }
        }.merged
    }

    /// A template's text cut at its `{n}` slots.
    private static func slots(_ s: String) -> [Slot] {
        var out: [Slot] = []
        var rest = Substring(s)
        var pending = ""
        while let open = rest.firstIndex(of: "{") {
            pending += rest[..<open]
            if let close = rest[open...].firstIndex(of: "}"), let n = Int(rest[rest.index(after: open)..<close]), n >= 1 {
                if !pending.isEmpty { out.append(.text(pending)); pending = "" }
                out.append(.slot(n))
                rest = rest[rest.index(after: close)...]
            } else {
                pending += "{"
                rest = rest[rest.index(after: open)...]
            }
        }
        pending += rest
        if !pending.isEmpty { out.append(.text(pending)) }
        return out
    }

    private enum Slot {
        case text(String)
        case slot(Int)

        func either<T>(text: (String) -> T, slot: (Int) -> T) -> T {
            switch self {
            case .text(let s): return text(s)
            case .slot(let n): return slot(n)
            }
        }

        func either(_ slot: (Int) -> String) -> String { either(text: { $0 }, slot: slot) }
    }
}
