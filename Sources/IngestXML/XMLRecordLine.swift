import CLibXML2

/// The line of a record element, the same whether the document was read by one reader or in
/// parts (`XMLSplitReader`), `offset` being the lines before the part.
///
/// libxml2 keeps an element's line (where its start tag ends) in 16 bits: from line 65,535 on,
/// the line of its first text (which `XML_PARSE_BIG_LINES` keeps in full) stands for it, as in
/// `xmlGetLineNo`. The parser's line (`xmlTextReaderGetParserLineNumber`) is not used: it is where
/// parsing stopped, which depends on how the input was cut into chunks.
/// Nil when neither is known (an element with no text beyond line 65,535).
func recordLine(_ node: xmlNodePtr, offset: Int) -> Int? {
    let own = Int(node.pointee.line)
    if own < 65_535 && own + offset < 65_535 { return own + offset }
    return firstTextLine(node.pointee.children, depth: 0).map { $0 + offset }
}

/// The full line of the first text node under `node` (depth first, in document order).
private func firstTextLine(_ first: xmlNodePtr?, depth: Int) -> Int? {
    guard depth < 64 else { return nil }
    var node = first
    while let n = node {
        if n.pointee.type == XML_TEXT_NODE {
            let line = Int(n.pointee.line)
            if line < 65_535 { return line }
            if let psvi = n.pointee.psvi { return Int(bitPattern: psvi) }
        } else if n.pointee.type == XML_ELEMENT_NODE, let line = firstTextLine(n.pointee.children, depth: depth + 1) {
            return line
        }
        node = n.pointee.next
    }
    return nil
}
