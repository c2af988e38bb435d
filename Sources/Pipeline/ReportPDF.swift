import Foundation
import Records

/// `impact run --pdf`: report.html printed to report.pdf by headless Chromium (Debian's `chromium`),
/// the same command a user can type (README, "Printing the report"). The PDF is not an output of the
/// run: it carries the print date, so it is neither in the manifest nor byte-identical across runs.
public enum ReportPDF {
    /// Browsers tried, in order, on PATH.
    static let browsers = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    /// The arguments that print `html` to `pdf` (as root Chromium refuses to start without `--no-sandbox`).
    public static func arguments(html: String, pdf: String, root: Bool = geteuid() == 0) -> [String] {
        (root ? ["--no-sandbox"] : []) + ["--headless", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)",
                                          URL(fileURLWithPath: html).absoluteString]
    }

    /// Prints `folder`/report.html to `folder`/report.pdf and returns the PDF's path.
    public static func print(folder: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = browsers.flatMap { name in path.split(separator: ":").map { "\($0)/\(name)" } }
        guard let browser = candidates.first(where: FileManager.default.isExecutableFile) else {
            throw ReportPDFError(message: "--pdf needs Chromium, not found on PATH: install it (Debian: apt-get install chromium) or print report.html from a browser")
        }
        let html = "\(folder)/report.html", pdf = "\(folder)/report.pdf"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = arguments(html: html, pdf: pdf)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try? FileManager.default.removeItem(atPath: pdf)
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: pdf) else {
            let last = message.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
            throw ReportPDFError(message: "\(browser) could not print \(html): \(last)")
        }
        return pdf
    }
}

/// Chromium missing or failing: the outputs are written, only the PDF is not.
public struct ReportPDFError: ImpactError {
    public let message: String
    public var description: String { message }
}
