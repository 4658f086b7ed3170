import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayOCI

/// The generated layer's entries: users and groups, the FHS fixes, CA and time-zone links,
/// `dirs`, and links to artifacts' top-level entries. Entries keep the order they are added in.
struct ImageCustomisation {
    let spec: ImageSpec
    private(set) var entries: [TarEntry] = []

    init(spec: ImageSpec) {
        self.spec = spec
    }

    private mutating func file(_ path: String, _ text: String, mode: UInt32 = 0o644) {
        entries.append(TarEntry(name: path, kind: .bytes(Array(text.utf8)), mode: mode))
    }

    private mutating func link(_ path: String, _ target: String) {
        entries.append(TarEntry(name: path, kind: .symlink(target: target), mode: 0o777))
    }

    /// `/etc/passwd` and `/etc/group` (root, nobody, the image's user with its home), `/root`.
    mutating func addUsers() {
        var passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        var group = "root:x:0:\nnogroup:x:65534:\n"
        if let user = spec.user {
            passwd += "\(user.name):x:\(user.uid):\(user.gid)::/home/\(user.name):/bin/sh\n"
            group += "\(user.name):x:\(user.gid):\n"
            entries.append(TarEntry(name: "home/\(user.name)", kind: .directory, mode: 0o755, uid: user.uid, gid: user.gid,
                                    uname: user.name, gname: user.name))
        }
        file("etc/passwd", passwd)
        file("etc/group", group)
        entries.append(TarEntry(name: "root", kind: .directory, mode: 0o700))
    }

    /// `/tmp` and `/var/tmp`, `nsswitch.conf`, `/bin/sh` and `/usr/bin/env` from the contents' `bins`.
    /// - Returns: a warning (located, with the fix) when `usr_bin_env` is on and nothing has `env`.
    @discardableResult
    mutating func addFHSFixes(bins: [String]) -> String? {
        if spec.tmp {
            entries.append(TarEntry(name: "tmp", kind: .directory, mode: 0o1777))
            entries.append(TarEntry(name: "var/tmp", kind: .directory, mode: 0o1777))
        }
        if spec.nsswitch {
            file("etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n")
        }
        func find(_ program: String) -> String? {
            bins.map { $0 + "/" + program }.first { FileManager.default.fileExists(atPath: $0) }
        }
        if spec.binSh, let shell = find("sh") ?? find("bash") { link("bin/sh", shell) }
        guard spec.usrBinEnv else { return nil }
        guard let env = find("env") else {
            return "\(spec.location): warning: images.\(spec.name).usr_bin_env is on, but nothing in the image provides `env`: "
                + "no /usr/bin/env, so `#!/usr/bin/env` scripts fail\n"
                + "  hint: add a package with `env` to contents (busybox or coreutils: contents = [..., \"busybox\"]), or set usr_bin_env = false"
        }
        link("usr/bin/env", env)
        return nil
    }

    /// Links to the CA bundle and zoneinfo of the extras (`cacert`, `tzdata`).
    /// - Returns: the variables that point programs at them (`SSL_CERT_FILE`, `TZDIR`).
    mutating func addCertificatesAndZoneinfo(_ extras: [String: String]) -> [String: String] {
        var extraEnv: [String: String] = [:]
        if let cacert = extras["cacert"] {
            let bundle = cacert + "/etc/ssl/certs/ca-bundle.crt"
            for path in ["etc/ssl/certs/ca-certificates.crt", "etc/ssl/certs/ca-bundle.crt", "etc/pki/tls/certs/ca-bundle.crt", "etc/ssl/cert.pem"] {
                link(path, bundle)
            }
            extraEnv["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt"
        }
        if let tzdata = extras["tzdata"] {
            link("usr/share/zoneinfo", tzdata + "/share/zoneinfo")
            extraEnv["TZDIR"] = "/usr/share/zoneinfo"
        }
        return extraEnv
    }

    /// `dirs`, with their owners.
    /// - Throws: ``ManifestError`` for an owner that is neither root nor the image's user.
    mutating func addDirs() throws {
        for folder in spec.dirs {
            let (uid, gid, name) = try ImageOwner.resolve(folder.owner, spec: spec, at: folder.location)
            entries.append(TarEntry(name: String(folder.path.dropFirst()), kind: .directory, mode: folder.mode, uid: uid, gid: gid,
                                    uname: name, gname: name))
        }
    }

    /// An artifact's top-level entries are linked at the image root (like dockerTools'
    /// `contents` and nix2container's `copyToRoot`): `$out/app` becomes `/app`. Into folders
    /// the image generates anyway (`etc`, a `dirs` entry), links go one level deeper.
    mutating func linkTree(_ storeDir: String, _ relative: String) {
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: storeDir)) ?? []).sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: storeDir + "/" + name, isDirectory: &isDirectory)
            if isDirectory.boolValue, entries.contains(where: { $0.name == path || $0.name.hasPrefix(path + "/") }) {
                if !entries.contains(where: { $0.name == path }) { entries.append(TarEntry(name: path, kind: .directory, mode: 0o755)) }
                linkTree(storeDir + "/" + name, path)
            } else if !entries.contains(where: { $0.name == path }) {
                link(path, storeDir + "/" + name)
            }
        }
    }
}

/// Owners of `dirs` and `copy` entries.
enum ImageOwner {
    /// `(uid, gid, name)`: root (`0, 0, nil`) when `name` is nil or `root`, else the image's user.
    /// - Throws: ``ManifestError`` when `name` is neither.
    static func resolve(_ name: String?, spec: ImageSpec, at location: SourceLocation) throws -> (Int, Int, String?) {
        guard let name, name != "root" else { return (0, 0, nil) }
        guard let user = spec.user, user.name == name else {
            throw ManifestError.invalid([Diagnostic(.invalidValue(
                key: "images.\(spec.name)", reason: "owner '\(name)' is neither root nor the image's user"), at: location)])
        }
        return (user.uid, user.gid, user.name)
    }
}
