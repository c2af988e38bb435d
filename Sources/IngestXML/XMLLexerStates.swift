/// `XMLLexer`'s states, one method each: text and simple tags, entities, tags, comments, DOCTYPE.
extension XMLLexer {
    /// Text, and the simple tags that follow it (no attribute, not cut by the block's end) without
    /// going back to `scan`'s loop: its round per state was a third of the lexer's instructions.
    mutating func lexText(_ c: inout Cursor) {
        while true {
            if rootClosed {
                // After the root: white space, comments and processing instructions only.
                let unit = c.u[c.p]
                if unit == 0x20 || unit == 0x09 || unit == 0x0A || unit == 0x0D { c.p += 1; return }
                guard unit == Self.lt else { return trailing() }
                c.p += 1
                state = .lt
                return
            }
            let next = hasDoctype ? ByteScan.first(Self.lt, Self.amp, Self.lt, in: c.u, from: c.p)
                                  : ByteScan.first(Self.lt, Self.lt, Self.lt, in: c.u, from: c.p)
            if next == c.n { c.p = c.n; return }
            c.p = next + 1
            if c.u[next] == Self.amp { return startEntity(at: next) }
            tagStart = next
            if !tagCarry.isEmpty { tagCarry.removeAll() }
            // A '<' at the record depth may open a record: held from here until the lexer knows.
            if let depth = limits.recordDepth, open == depth, !holding { startRecord(at: next) }
            state = .lt
            guard c.p < c.n else { return }
            lexLT(&c)
            if c.p < c.n {
                if state == .startTag { lexStartTag(&c) } else if state == .endTag { lexEndTag(&c) }
            }
            guard state == .text, !stopped, c.p < c.n else { return }
            if overLimit(c) { return }
        }
    }

    /// An '&' at unit `at`: the name of the reference follows.
    mutating func startEntity(at: Int) {
        entityStart = at
        entityName = []
        state = .entity
    }

    mutating func lexEntity(_ c: inout Cursor) {
        let unit = c.u[c.p]
        if unit == UInt8(ascii: ";") {
            let name = String(decoding: entityName, as: UTF8.self)
            if !["lt", "gt", "amp", "quot", "apos"].contains(name) && !name.hasPrefix("#") {
                return halt(&c, "entity reference &\(name); refused (entities are not accepted in exports, and the DTD that would define it is never loaded)",
                            at: max(entityStart, 0))
            }
            c.p += 1
            state = quote == 0 ? .text : .attributeValue
        } else if Self.isNameUnit(unit) && entityName.count < 64 {
            entityName.append(unit)
            c.p += 1
        } else {
            state = quote == 0 ? .text : .attributeValue  // not a reference: libxml2 says what it is
        }
    }

    @inline(__always) mutating func lexLT(_ c: inout Cursor) {
        let unit = c.u[c.p]
        let record = holding && open == limits.recordDepth
        if rootClosed && unit != Self.bang && unit != Self.question { return trailing() }
        switch unit {
        case Self.slash: state = .endTag
        case Self.bang: state = .bang; match = 0
        case Self.question: state = .pi; match = 0
        default:
            state = .startTag
            attributes = 0
            afterSlash = false
            rootStarted = true
            return
        }
        c.p += 1
        if record { notRecord() }
    }

    @inline(__always) mutating func lexStartTag(_ c: inout Cursor) {
        let record = holding && open == limits.recordDepth
        let next = ByteScan.first(Self.gt, Self.dq, Self.sq, in: c.u, from: c.p)
        if next == c.n {
            afterSlash = c.n > c.p && c.u[c.n - 1] == Self.slash
            c.p = c.n
            return
        }
        if c.u[next] == Self.gt {
            let empty = next > c.p ? c.u[next - 1] == Self.slash : afterSlash
            c.p = next + 1
            state = .text
            if open > limits.depth { return halt(&c, "elements nested deeper than \(limits.depth) levels; refused", at: c.p) }
            if !empty {
                if limits.cutBytes != nil, width == 1, let depth = limits.recordDepth, open < depth { openAncestor(c, end: c.p) }
                open += 1
                return
            }
            if record {
                endRecord(&c, at: c.p)
                noteCut(c, end: c.p)
            }
            if open == 0 {
                route(&c, to: c.p)
                rootClosed = true
            }
            return
        }
        attributes += 1
        quote = c.u[next]
        c.p = next + 1
        state = .attributeValue
        if attributes > limits.attributes {
            if holding, let depth = limits.recordDepth, open >= depth {
                refuse(&c, "attributes:\(limits.attributes)")
            } else {
                halt(&c, "an element with more than \(limits.attributes) attributes; refused (libxml2 checks them pairwise: such elements take minutes)", at: c.p)
            }
        }
    }

    mutating func lexAttributeValue(_ c: inout Cursor) {
        let next = hasDoctype ? ByteScan.first(quote, Self.amp, quote, in: c.u, from: c.p) : ByteScan.first(quote, quote, quote, in: c.u, from: c.p)
        if next == c.n { c.p = c.n; return }
        c.p = next + 1
        if c.u[next] == Self.amp { return startEntity(at: next) }
        quote = 0
        afterSlash = false
        state = .startTag
    }

    @inline(__always) mutating func lexEndTag(_ c: inout Cursor) {
        let next = ByteScan.first(Self.gt, Self.gt, Self.gt, in: c.u, from: c.p)
        if next == c.n { c.p = c.n; return }
        c.p = next + 1
        state = .text
        open = max(0, open - 1)
        if holding && open == limits.recordDepth {
            endRecord(&c, at: c.p)
            noteCut(c, end: c.p)
        }
        if open < ancestors.count { ancestors.removeLast(ancestors.count - open) }
        if open == 0 {
            route(&c, to: c.p)
            rootClosed = true
        }
    }

    /// After "<!": "--" (a comment), "[" (CDATA), or a declaration (DOCTYPE).
    mutating func lexBang(_ c: inout Cursor) {
        let unit = c.u[c.p]
        if match == 0 && unit == UInt8(ascii: "-") {
            match = 1
            c.p += 1
        } else if match == 1 && unit == UInt8(ascii: "-") {
            match = 0
            c.p += 1
            state = .comment
        } else if match == 0 && unit == UInt8(ascii: "[") {
            c.p += 1
            state = .cdata
        } else {
            match = 0
            state = .doctype
            hasDoctype = true
            bracket = 0
        }
    }

    mutating func lexDoctype(_ c: inout Cursor) {
        let unit = c.u[c.p]
        if unit == Self.dq || unit == Self.sq {
            quote = unit
            state = .doctypeQuote
        } else if unit == UInt8(ascii: "[") {
            bracket += 1
        } else if unit == UInt8(ascii: "]") {
            bracket -= 1
        } else if unit == Self.gt && bracket <= 0 {
            state = .text
        } else if unit == Self.lt && bracket > 0 {
            // A declaration of the internal subset: a comment, one naming an entity, or another.
            declaration = [unit]
            state = .doctypeDeclaration
        }
        c.p += 1
    }

    /// The first units of a declaration of the internal subset (they may span blocks): "<!--"
    /// opens a comment, "<!ENTITY" stops the document; anything else is read on as the DOCTYPE.
    mutating func lexDeclaration(_ c: inout Cursor) {
        let comment = Array("<!--".utf8), entity = Array("<!ENTITY".utf8)
        declaration.append(c.u[c.p])
        if declaration == comment {
            c.p += 1
            state = .doctypeComment
            match = 0
        } else if declaration == entity {
            halt(&c, "the document declares entities (<!ENTITY in its DOCTYPE); refused as a possible XXE or entity-expansion attack",
                 at: max(0, c.p - entity.count + 1))
        } else if comment.starts(with: declaration) || entity.starts(with: declaration) {
            c.p += 1
        } else {
            state = .doctype  // this unit is read again as part of the DOCTYPE
        }
    }
}
