extension Duration {
    /// The duration in seconds, as a floating-point number (for JSON fields and messages that
    /// give seconds, e.g. `uptime`).
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
