import CLibXML2

/// One relationship of an OPC package part (`_rels/*.rels`): its id, type and target part.
public struct PackageRelationship: Sendable, Equatable {
    public let id: String
    /// The type URI's last segment: `officeDocument`, `worksheet`, `sharedStrings`, `styles`…
    public let kind: String
    public let target: String
    public let external: Bool
}

/// A worksheet as `xl/workbook.xml` lists it.
public struct WorkbookSheet: Sendable, Equatable {
    public let name: String
    /// The relationship id of its part.
    public let relationship: String
    /// `visible`, `hidden` or `veryHidden` (hidden sheets are read like the others).
    public let state: String
}

/// The small parts of an `.xlsx` package, read through the same hardened reader as any XML.
public enum XLSXParts {
    /// The relationships a `.rels` part declares.
    public static func relationships(input: any XMLInput, name: String) throws -> [PackageRelationship] {
        let reader = try XMLStreamReader(input: input, name: name)
        var found: [PackageRelationship] = []
        while try reader.read() {
            guard reader.isElement, reader.localName == "Relationship" else { continue }
            let type = reader.attribute("Type") ?? ""
            found.append(PackageRelationship(id: reader.attribute("Id") ?? "",
                                             kind: String(type.split(separator: "/").last ?? ""),
                                             target: reader.attribute("Target") ?? "",
                                             external: reader.attribute("TargetMode") == "External"))
        }
        return found
    }

    /// The sheets in workbook order, and whether serial dates count from 1904.
    public static func workbook(input: any XMLInput, name: String) throws -> (sheets: [WorkbookSheet], date1904: Bool) {
        let reader = try XMLStreamReader(input: input, name: name)
        var sheets: [WorkbookSheet] = []
        var date1904 = false
        while try reader.read() {
            guard reader.isElement else { continue }
            switch reader.localName {
            case "workbookPr":
                let value = reader.attribute("date1904")?.lowercased()
                date1904 = value == "1" || value == "true"
            case "sheet":
                sheets.append(WorkbookSheet(name: reader.attribute("name") ?? "",
                                            relationship: reader.attribute(anyNamespace: "id") ?? "",
                                            state: reader.attribute("state") ?? "visible"))
            default: break
            }
        }
        return (sheets, date1904)
    }

    /// How each cell style (`s` attribute, an index into `cellXfs`) shows numbers.
    public static func styles(input: any XMLInput, name: String) throws -> [NumberFormatKind] {
        let reader = try XMLStreamReader(input: input, name: name)
        var custom: [Int: NumberFormatKind] = [:]
        var cellFormats: [Int] = []
        var inCellXfs = false
        while try reader.read() {
            if reader.isEndElement, reader.localName == "cellXfs" { inCellXfs = false; continue }
            guard reader.isElement else { continue }
            switch reader.localName {
            case "numFmt":
                if let id = reader.attribute("numFmtId").flatMap(Int.init), let code = reader.attribute("formatCode") {
                    custom[id] = NumberFormatKind(code: code)
                }
            case "cellXfs":
                inCellXfs = !reader.isEmptyElement
            case "xf" where inCellXfs:
                cellFormats.append(reader.attribute("numFmtId").flatMap(Int.init) ?? 0)
            default: break
            }
        }
        return cellFormats.map { custom[$0] ?? NumberFormatKind(builtIn: $0) }
    }
}

/// The shared-strings table (`xl/sharedStrings.xml`) in one arena: every string's UTF-8 bytes
/// back to back and one 32-bit end offset per string (no `String` per entry).
public final class SharedStrings: Sendable {
    let bytes: [UInt8]
    let ends: [UInt32]

    public var count: Int { ends.count }

    /// An empty table (a workbook without shared strings).
    public init() {
        bytes = []
        ends = []
    }

    /// Reads the table; refuses it when its text passes `maximumBytes` (it is held in memory).
    public init(input: any XMLInput, name: String, maximumBytes: Int) throws {
        let reader = try XMLStreamReader(input: input, name: name)
        let si = reader.intern("si"), t = reader.intern("t"), rPh = reader.intern("rPh")
        var bytes: [UInt8] = []
        var ends: [UInt32] = []
        var start = 0
        var inText = false
        var more = try reader.read()
        while more {
            if reader.isText {
                if inText { reader.appendValue(to: &bytes) }
                guard bytes.count <= maximumBytes else {
                    throw XMLReadError(file: name, line: reader.line, column: 0,
                                       message: "the shared strings pass \(maximumBytes >> 20) MiB of text; refused")
                }
            } else if reader.isElement {
                let local = reader.localNamePointer
                if local == rPh {
                    // Phonetic guides (furigana) are not part of the text a cell shows.
                    more = try reader.skip()
                    continue
                }
                if local == si {
                    start = bytes.count
                    if reader.isEmptyElement { ends.append(UInt32(bytes.count)) }
                }
                if local == t { inText = !reader.isEmptyElement }
            } else if reader.isEndElement {
                let local = reader.localNamePointer
                if local == t { inText = false }
                if local == si {
                    CellText.decodeEscapes(&bytes, from: start)
                    ends.append(UInt32(min(bytes.count, Int(UInt32.max))))
                }
            }
            more = try reader.read()
        }
        self.bytes = bytes
        self.ends = ends
    }

    /// String `i`'s bytes; nil when there is no such string.
    func string(_ i: Int) -> ArraySlice<UInt8>? {
        guard i >= 0, i < ends.count else { return nil }
        return bytes[(i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])]
    }
}
