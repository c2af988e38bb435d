/// Means and spread of paired before/after values (the inputs of the shift indicators).
public struct PairedSummary: Equatable, Sendable {
    public let n: Int
    public let preMean: Double
    public let postMean: Double
    public let meanDifference: Double
    /// Sample standard deviation of after − before (n − 1 in the denominator); NaN when n < 2.
    public let sdDifference: Double

    public init(before: [Double], after: [Double]) {
        n = before.count
        preMean = before.reduce(0, +) / Double(n)
        postMean = after.reduce(0, +) / Double(n)
        let d = zip(before, after).map { $1 - $0 }
        let m = Self.moments(d)
        meanDifference = m.mean
        sdDifference = m.variance.squareRoot()
    }

    /// Mean and sample variance (two-pass, for accuracy); variance NaN when fewer than two values.
    public static func moments(_ xs: [Double]) -> (mean: Double, variance: Double) {
        let mean = xs.reduce(0, +) / Double(xs.count)
        guard xs.count >= 2 else { return (mean, .nan) }
        return (mean, xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1))
    }
}
