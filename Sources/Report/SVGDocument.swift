/// A chart drawn once and written twice: as its own `.svg` file and inside `report.html` (where its
/// title and description get ids of their own, since several charts share the page).
public struct SVGChart: Sendable, Equatable {
    public let width: Double
    public let height: Double
    /// Accessible title and description (the heading drawn at the top is the title).
    public let title: String
    public let description: String
    let body: [String]

    /// The chart as an SVG file, or (with an `id` prefixing its title and description ids) as an
    /// element inside HTML, where the namespace is implied and no URL needs to appear.
    public func svg(id: String = "") -> String {
        let t = id.isEmpty ? "title" : "\(id)-title", d = id.isEmpty ? "desc" : "\(id)-desc"
        let namespace = id.isEmpty ? " xmlns=\"http://www.w3.org/2000/svg\"" : ""
        return """
        <svg\(namespace) width="\(SVGDocument.f(width))" height="\(SVGDocument.f(height))" viewBox="0 0 \(SVGDocument.f(width)) \(SVGDocument.f(height))" role="img" aria-labelledby="\(t) \(d)" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
        <title id="\(t)">\(SVGDocument.escape(title))</title>
        <desc id="\(d)">\(SVGDocument.escape(description))</desc>
        <rect width="100%" height="100%" fill="#fff"/>
        \(SVGDocument.text(x: 10, y: 24, anchor: "start", weight: "bold", title, size: 15))
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}

/// The SVG skeleton every chart shares: size, accessible title and description, white
/// background, a bold heading; coordinates rounded so the bytes never vary.
enum SVGDocument {
    /// A chart at least as wide as its heading and `widest` (the right edge its body's text reaches).
    static func chart(width: Double, height: Double, title: String, description: String, body: [String]) -> SVGChart {
        let heading = TextWidth.of(title, size: 15, bold: true) + 20
        return SVGChart(width: max(width, heading).rounded(.up), height: height, title: title, description: description, body: body)
    }

    static func text(x: Double, y: Double, anchor: String, weight: String, _ content: String, size: Int = 12) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" font-size=\"\(size)\">\(escape(content))</text>"
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, fill: String) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"\(fill)\" stroke=\"#000\" stroke-width=\"0.5\"/>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, width: Double = 1) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"#000\"\(width == 1 ? "" : " stroke-width=\"\(f(width))\"")/>"
    }

    /// Width of a 12 px label (regular or bold) in the charts' font.
    static func width(_ text: String, bold: Bool = false, size: Double = 12) -> Double { TextWidth.of(text, size: size, bold: bold) }

    /// Coordinates with one decimal at most, so the bytes never depend on floating-point noise.
    static func f(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ s: String) -> String {
        // Most labels and figures hold none of the four: a byte scan is far cheaper than the replacements.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return s }
        return s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }

    /// Greys that stay distinct when printed without colour.
    static let fills = ["#1f1f1f", "#7a7a7a", "#d0d0d0", "#4d4d4d", "#a6a6a6"]
}
