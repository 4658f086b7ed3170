import CSlipwayBuild

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of CPUs this process may use, read once.
///
/// What Foundation's `ProcessInfo.activeProcessorCount` computes on Linux (the CPUs of the
/// affinity mask, capped by the cgroup's CPU quota rounded up), read with `sched_getaffinity`
/// and two small `read`s: Foundation's reads go through its generic file and URL code, whose
/// first use costs protocol-conformance scans (about 4% of a one-task `slipway run`), and it
/// reads again on every call.
public enum ProcessorCount {
    /// CPUs available to this process (at least 1), from the first read.
    public static let active: Int = max(1, min(affinityCount() ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), quotaCount() ?? .max))

    /// CPUs of the process's affinity mask (`sched_getaffinity(2)`).
    static func affinityCount() -> Int? {
        let count = Int(slipway_affinity_cpus())
        return count > 0 ? count : nil
    }

    /// The cgroup's CPU quota in whole CPUs, rounded up: cgroup v2's `cpu.max` (`QUOTA PERIOD`,
    /// or `max`), else v1's `cpu.cfs_quota_us` / `cpu.cfs_period_us`; `nil` for no quota.
    static func quotaCount() -> Int? {
        if let fields = words("/sys/fs/cgroup/cpu.max"), fields.count == 2 {
            return cpus(quota: Int(fields[0]), period: Int(fields[1]))
        }
        guard let quota = words("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")?.first,
              let period = words("/sys/fs/cgroup/cpu/cpu.cfs_period_us")?.first
        else { return nil }
        return cpus(quota: Int(quota), period: Int(period))
    }

    private static func cpus(quota: Int?, period: Int?) -> Int? {
        guard let quota, let period, quota > 0, period > 0 else { return nil }
        return (quota + period - 1) / period
    }

    /// The words of a small file, or `nil` when it cannot be read.
    private static func words(_ path: String) -> [String]? {
        guard let bytes = try? FileText.readBytes(path, limit: 128), !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }
}
