import Foundation

/// Human-readable byte counts.
public enum ByteCount {
    /// `512 B`, `1.5 KiB`, `12.0 MiB`, `1.2 GiB` (binary units, one decimal).
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension ByteCount {
    /// Parses a size: bytes (`1048576`), or a number with a binary unit (`512K`, `512KiB`,
    /// `20M`, `20MiB`, `10G`, `10GiB`; `B` allowed). `nil` for anything else or a negative size.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        var unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).uppercased()
        if unit.hasSuffix("IB") { unit.removeLast(2) } else if unit.hasSuffix("B") { unit.removeLast() }
        let scales: [String: Double] = ["": 1, "K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
        guard let value = Double(digits), value >= 0, let scale = scales[unit] else { return nil }
        return Int64(value * scale)
    }
}
