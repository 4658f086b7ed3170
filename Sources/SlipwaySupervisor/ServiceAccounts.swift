#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SlipwayManifest

/// The accounts services run as: `user = NAME`, applied when Slipway runs as root.
public enum ServiceAccounts {
    /// The uid and gid `spec` runs as, or `nil` when it runs as Slipway's own account (no
    /// `user`, `user = "root"`, or Slipway is not root).
    /// - Throws: ``SupervisorError/unknownUser(service:user:)`` when the account does not exist.
    public static func credentials(of spec: ServiceSpec) throws(SupervisorError) -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0, let user = spec.user, user != "root" else { return nil }
        guard let account = lookUp(user) else { throw .unknownUser(service: spec.name, user: user) }
        return account
    }

    /// Checks that every account `specs` run as exists, before anything starts (a detached
    /// supervisor would otherwise fail on it out of sight).
    /// - Throws: ``SupervisorError/unknownUser(service:user:)`` for the first service whose
    ///   account does not exist.
    public static func check(_ specs: [ServiceSpec]) throws(SupervisorError) {
        for spec in specs { _ = try credentials(of: spec) }
    }

    /// `getpwnam_r`: the account's uid and gid, `nil` when there is no such account.
    private static func lookUp(_ name: String) -> (uid: uid_t, gid: gid_t)? {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &found)
        guard status == 0, found != nil else { return nil }
        return (entry.pw_uid, entry.pw_gid)
    }
}
