import Foundation
import Testing
import TestSupport
@testable import IngestXML

/// A part read through libxml2's SAX2 callbacks (`readWithoutTree`, no tree built) gives what the
/// part's tree gives (`readAsTree`): the same values, lines, indices and refusals, or — where the
/// callbacks cannot tell — nothing, and the tree reads it.
@Suite("XML parts without a tree")
struct XMLPartCallbackTests {
    static let namespaces = ["p": "urn:p", "q": "urn:q"]

    /// Both readings of `text` as one part, comparable (nil: the reading declined the part).
    static func readings(_ text: String, recordPath: String, xpaths: [String], lineOffset: Int = 0, refusals: Bool = false)
        throws -> (callbacks: [String]?, tree: [String]?) {
        let table = PartnerXMLTable(recordPath: recordPath, xpaths: xpaths, namespaces: namespaces)
        let (steps, lastNamespace) = try table.steps(path: "part.xml")
        let evaluators = try table.evaluators(path: "part.xml")
        defer { evaluators.forEach { $0.free() } }
        let part = XMLPart(index: 0, bytes: Array(text.utf8), lineOffset: lineOffset, refusals: refusals)
        let namespace = lastNamespace.map { Array($0.utf8CString) }
        func lines(_ read: (batches: [XMLRecordBatch], count: Int)?) -> [String]? {
            guard let read else { return nil }
            var outcome = XMLSplitTests.Outcome()
            for batch in read.batches { XMLSplitTests.collect(batch, into: &outcome) }
            #expect(outcome.records.count == read.count)
            return outcome.records
        }
        // Batches of 3: records cross batch ends.
        let callbacks = lines(table.readWithoutTree(part, steps: steps, lastNamespace: namespace, evaluators: evaluators, batchSize: 3))
        let tree = lines(table.readAsTree(part, steps: steps, lastNamespace: namespace, evaluators: evaluators, path: "part.xml", arena: false,
                                          batchSize: 3))
        return (callbacks, tree)
    }

    static let simple = [".", "v", "p:v", "@k", "@p:k", "../@d", "../@p:d", "w"]

    @Test("awkward records read the same without the tree", arguments: [
        ("plain", "<a><s d=\"1\"><r k=\"x\"><v>1</v><w>one</w></r><r k=\"y\"><v>2</v></r></s></a>"),
        ("references in attributes", "<a><s d=\"a&amp;b &#38; &lt;c&gt; &#233;&#x41;\"><r k=\"&amp;&amp;#38;\"><v>&amp;&lt;</v></r></s></a>"),
        ("cdata, comments, processing instructions", "<a><s d=\"1\"><r><v><![CDATA[<x>&amp;]]>t<!-- c -->u<?pi x?>v</v></r></s></a>"),
        ("nested text", "<a><s><r>head<v>1<w>deep</w>2</v>mid<w>w1</w><w>w2</w>tail</r></s></a>"),
        ("first child only", "<a><s><r><v>first</v><v>second</v><x><v>nested</v></x></r></s></a>"),
        ("namespaces", "<p:a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><p:s p:d=\"pd\" d=\"nd\"><r p:k=\"pk\" k=\"nk\"><p:v>pv</p:v><v>nv</v><q:v>qv</q:v></r>"
            + "<r xmlns=\"urn:q\"><v>default namespace</v></r></p:s></p:a>"),
        ("missing", "<a><s><r/><r></r><r> </r><r k=\"\"><v/></r></s></a>"),
        ("off the path", "<a><x><s><r><v>no</v></r></s></x><s d=\"2\"><q><r>no</r></q><r><v>yes</v></r></s><s/></a>"),
        ("white space", "<a>\n  <s d=\"1\">\n    <r>\n      <v>\n 1 \n</v>\n    </r>\n  </s>\n</a>\n"),
        ("crlf and tabs in attributes", "<a><s d=\"x\r\ny\tz\"><r k=\"1\r2\n3\"><v>a\r\nb</v></r></s></a>"),
        ("unicode", "<a><s d=\"\u{E9}t\u{E9}\"><r><v>\u{1F600} \u{4E2D}</v></r></s></a>"),
        ("malformed", "<a><s><r><v>1</v></r><r><v>2</x></r></s></a>"),
        ("undeclared entity", "<a><s><r><v>&nope;</v></r></s></a>"),
        ("doctype", "<!DOCTYPE a [<!ATTLIST s d CDATA \"9\">]><a><s><r><v>1</v></r></s></a>"),
        // Undeclared prefixes are a namespace error only: the tree names the node "z9:r", which no step matches.
        ("undeclared prefixes", "<a><s z9:d=\"x\"><z9:r k=\"1\"><v>A</v></z9:r><r z9:k=\"2\" k=\"3\"><z9:v>B</z9:v><v>C</v><z9:w>D</z9:w></r>"
            + "<r z9:impact-refused-record=\"bytes:9\"><v>E</v></r></s></a>"),
    ])
    func awkward(name: String, text: String) throws {
        for path in ["/a/s/r", "/p:a/p:s/r", "/a/s/q:r"] {
            let (callbacks, tree) = try Self.readings(text, recordPath: path, xpaths: Self.simple)
            if let callbacks { #expect(callbacks == tree, "\(name) \(path)") }
            if name == "malformed" || name == "undeclared entity" { #expect(tree == nil && callbacks == nil, "\(name)") }
            if name == "doctype" { #expect(callbacks == nil && tree != nil, "a DTD is left to the tree") }
            if name == "undeclared prefixes", path == "/a/s/r" { #expect(callbacks?.count == 2, "\(String(describing: callbacks))") }
            // Every well-formed part without a DTD is read without its tree.
            if !["malformed", "undeclared entity", "doctype"].contains(name) { #expect(callbacks != nil, "\(name) \(path): read without the tree") }
            if path == (name == "namespaces" ? "/p:a/p:s/r" : "/a/s/r"), !["malformed", "undeclared entity", "doctype"].contains(name) {
                #expect(!(callbacks ?? []).isEmpty, "\(name): records found")
            }
        }
    }

    @Test("the values of a record are those of its tree, checked by hand")
    func byHand() throws {
        let (callbacks, _) = try Self.readings("<a><s d=\"a&amp;b\"><r k=\"&amp;&amp;#38;\"><v>1<w>2</w></v>x<w>3</w></r></s></a>",
                                               recordPath: "/a/s/r", xpaths: [".", "v", "@k", "../@d", "w"])
        #expect(callbacks == ["#1 line 1  [\"12x3\", \"12\", \"&&#38;\", \"a&b\", \"3\"]"])
    }

    @Test("lines past 65,535: the record's own while libxml2 keeps it, else its first text's; none: the tree decides", arguments: [0, 65_000, 65_534, 65_535, 70_000])
    func lines(offset: Int) throws {
        let text = "<a>\n<s d=\"1\">\n<r>\n<v>1</v></r>\n<r><v>2</v></r>\n<r\n k=\"x\"\n>\n\n<v>3</v></r>\n<r/>\n"
            + "<r>" + String(repeating: "<x>", count: 70) + "too deep" + String(repeating: "</x>", count: 70)
            + String(repeating: "<y>", count: 30) + "deep" + String(repeating: "</y>", count: 30) + "\n<v>4</v>\n</r>\n</s>\n</a>\n"
        let (callbacks, tree) = try Self.readings(text, recordPath: "/a/s/r", xpaths: ["v"], lineOffset: offset)
        #expect(callbacks == tree, "offset \(offset)")
        if offset < 65_000 { #expect(callbacks?.count == 5) }
        // Without the empty record (no text, so no line beyond 65,535), both read every line.
        let (withText, treeWithText) = try Self.readings(text.replacingOccurrences(of: "<r/>\n", with: ""), recordPath: "/a/s/r", xpaths: ["v"],
                                                         lineOffset: offset)
        #expect(withText != nil && withText == treeWithText, "offset \(offset): \(String(describing: withText)) | \(String(describing: treeWithText))")
    }

    @Test("the guard's stand-ins are refusals when the part may hold some, and plain records otherwise", arguments: [false, true])
    func refusals(lookForThem: Bool) throws {
        let text = "<a><s d=\"1\"><r><v>1</v></r><r impact-refused-record=\"bytes:2000\"/>\n\n<r><v>3</v></r></s></a>"
        let (callbacks, tree) = try Self.readings(text, recordPath: "/a/s/r", xpaths: ["v", "../@d", "."], refusals: lookForThem)
        let prefixed = text.replacingOccurrences(of: "<r impact", with: "<r x:impact").replacingOccurrences(of: "<a>", with: "<a xmlns:x=\"urn:x\">")
        let (withPrefix, treeWithPrefix) = try Self.readings(prefixed, recordPath: "/a/s/r", xpaths: ["v", "../@d", "."], refusals: lookForThem)
        #expect(withPrefix != nil && withPrefix == treeWithPrefix, "a stand-in's attribute in a namespace")
        #expect(callbacks != nil && callbacks == tree)
        #expect(callbacks?[1].contains("2000") == lookForThem, "\(String(describing: callbacks))")
    }

    @Test("a record that is the part's root: its parent's attribute is empty, as in the tree")
    func recordAtRoot() throws {
        let (callbacks, tree) = try Self.readings("<r k=\"1\"><v>x</v></r>", recordPath: "/r", xpaths: ["v", "@k", "../@k", "."])
        #expect(callbacks != nil && callbacks == tree)
    }

    @Test("a compiled XPath leaves the part to the tree")
    func compiledXPath() throws {
        let (callbacks, tree) = try Self.readings("<a><s><r><v>1</v></r></s></a>", recordPath: "/a/s/r", xpaths: ["v", "count(*)"])
        #expect(callbacks == nil && tree?.count == 1)
    }
}
