import Foundation

/// The number of CPUs this process may use, read once.
///
/// `ProcessInfo.activeProcessorCount` reads the cgroup's `cpu.cfs_quota_us` and
/// `cpuset.cpus` on every call; ArgumentParser instantiates a command a dozen times while
/// parsing, so a default of `--jobs` computed with it cost two dozen file reads per `slipway run`.
public enum ProcessorCount {
    /// CPUs available to this process (at least 1), from the first read.
    public static let active: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
}
