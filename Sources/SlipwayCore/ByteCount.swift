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
