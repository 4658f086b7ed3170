extension Duration {
    /// The duration in seconds, as a floating-point number (for JSON fields and messages that
    /// give seconds, e.g. `uptime`).
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

/// Seconds as messages show them: one decimal, rounded half away from zero (`1.25` → `"1.3"`).
///
/// What `String(format: "%.1f", seconds)` prints (but for exact ties, which `printf` rounds to
/// even), without Foundation's formatter: `String(format:)` goes through CoreFoundation and a
/// `CVarArg` cast on every call, a cost per task of `slipway run`.
public func oneDecimal(_ seconds: Double) -> String {
    let tenths = (seconds * 10).rounded(.toNearestOrAwayFromZero)
    guard tenths.isFinite, abs(tenths) < 1e15 else { return String(seconds) }
    let whole = Int64(tenths)
    let sign = whole < 0 ? "-" : ""
    return "\(sign)\(abs(whole) / 10).\(abs(whole) % 10)"
}
