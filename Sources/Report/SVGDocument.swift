/// The SVG skeleton every chart shares: size, accessible title and description, white
/// background, a bold heading; coordinates rounded so the bytes never vary.
enum SVGDocument {
    static func render(width: Double, height: Double, title: String, description: String, heading: String, body: [String]) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-labelledby="title desc" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
        <title id="title">\(escape(title))</title>
        <desc id="desc">\(escape(description))</desc>
        <rect width="100%" height="100%" fill="#fff"/>
        \(text(x: 10, y: 24, anchor: "start", weight: "bold", heading, size: 15))
        \(body.joined(separator: "\n"))
        </svg>

        """
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

    /// Coordinates with one decimal at most, so the bytes never depend on floating-point noise.
    static func f(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }

    /// Greys that stay distinct when printed without colour.
    static let fills = ["#1f1f1f", "#7a7a7a", "#d0d0d0", "#4d4d4d", "#a6a6a6"]
}
