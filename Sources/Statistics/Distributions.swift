#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Distribution functions the indicators need, written once and tested against scipy.
public enum Distributions {
    /// Φ⁻¹(0.975), the normal quantile of two-sided 95 % intervals.
    public static let z975 = 1.959963984540054

    /// Two-sided normal p-value of a z statistic, 2·(1 − Φ(|z|)), without cancellation.
    public static func normalTwoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }

    /// Student t CDF with `df` degrees of freedom (any real df > 0).
    public static func studentTCDF(_ t: Double, df: Double) -> Double {
        let x = df / (df + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(a: df / 2, b: 0.5, x: x)
        return t >= 0 ? 1 - tail : tail
    }

    /// Quantiles already computed for whole degrees of freedom: intervals of paired differences
    /// ask for the same few thousand (p, n − 1) again and again.
    private static let quantileCache = Mutex<[QuantileKey: Double]>([:])
    private struct QuantileKey: Hashable { let p: Double, df: Double }

    /// Student t quantile: the t with CDF(t) = p, by bisection then Newton steps to full precision.
    public static func studentTQuantile(_ p: Double, df: Double) -> Double {
        guard df == df.rounded(), df < 1e6 else { return computeStudentTQuantile(p, df: df) }
        let key = QuantileKey(p: p, df: df)
        if let hit = quantileCache.withLock({ $0[key] }) { return hit }
        let t = computeStudentTQuantile(p, df: df)
        quantileCache.withLock { cache in if cache.count < 100_000 { cache[key] = t } }
        return t
    }

    private static func computeStudentTQuantile(_ p: Double, df: Double) -> Double {
        precondition(p > 0 && p < 1 && df > 0)
        if p == 0.5 { return 0 }
        if p < 0.5 { return -computeStudentTQuantile(1 - p, df: df) }
        var low = 0.0, high = 1.0
        while studentTCDF(high, df: df) < p { high *= 2 }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if studentTCDF(mid, df: df) < p { low = mid } else { high = mid }
            if high - low < 1e-15 * max(1, high) { break }
        }
        var t = (low + high) / 2
        for _ in 0..<3 {
            let density = studentTDensity(t, df: df)
            guard density > 0 else { break }
            let step = (studentTCDF(t, df: df) - p) / density
            if !step.isFinite || abs(step) > high - low + 1e-12 { break }
            t -= step
        }
        return t
    }

    static func studentTDensity(_ t: Double, df: Double) -> Double {
        exp(lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi) - (df + 1) / 2 * log1p(t * t / df))
    }

    /// I_x(a, b) by Lentz's continued fraction (Numerical Recipes' betacf), to ~1e-16.
    public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * continuedFraction(a: a, b: b, x: x) / a }
        return 1 - front * continuedFraction(a: b, b: a, x: 1 - x) / b
    }

    private static func continuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            var aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
