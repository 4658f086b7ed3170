import SlipwayProcess

/// What a pure environment keeps of the caller's: ``kept`` plus the profile's `keep_env`, the
/// things a terminal and a CI job need, and nothing else (no `PATH`, no host tool settings).
/// Like `nix develop --ignore-environment`, but with the terminal still working.
public enum EnvironmentPurity {
    /// Names kept by every pure environment; a trailing `*` matches a prefix.
    public static let kept = [
        "HOME", "USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "LANG", "LANGUAGE", "LC_*", "TZ",
        "SSH_AUTH_SOCK", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "TMPDIR", "NO_COLOR",
        "CI*", "GITHUB_*", "GITLAB_CI", "SLIPWAY_*",
    ]

    /// The caller's variables that `patterns` (and ``kept``) match.
    public static func filter(_ inherited: [String: String], keeping patterns: [String]) -> [String: String] {
        let all = kept + patterns
        return inherited.filter { name, _ in all.contains { matches(name, $0) } }
    }

    /// `NAME` matches itself; `PREFIX*` matches every name starting with `PREFIX`.
    public static func matches(_ name: String, _ pattern: String) -> Bool {
        pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
    }

    /// `arguments` with the program made runnable: a pure profile without a shell of its own
    /// still runs `sh` as the `/bin/sh` that runs its tasks and services.
    public static func command(_ arguments: [String], environment: [String: String], pure: Bool) -> [String] {
        guard pure, arguments.first == "sh", ProcessLauncher.resolve("sh", environment: environment) == nil else {
            return arguments
        }
        return ["/bin/sh"] + arguments.dropFirst()
    }
}

/// The `PATH` folders Slipway added, recorded in ``variable`` (as direnv records its diff), so
/// the next environment removes them before adding its own: re-evaluating `slipway env` after a
/// manifest change, switching profiles, or an `exec` inside `slipway shell` never leaves an old
/// profile's folders on `PATH`.
public enum PathRecord {
    /// The variable holding the folders added, `:`-separated.
    public static let variable = "SLIPWAY_PATH_ADDED"

    /// `profile` in front of the caller's `PATH` without what a previous Slipway environment
    /// added (and without duplicates of `profile`); only `profile` when `pure`.
    public static func path(_ profile: [String], inherited: [String: String], pure: Bool) -> String {
        let previous = Set(split(inherited[variable]))
        let rest = pure ? [] : split(inherited["PATH"]).filter { !previous.contains($0) && !profile.contains($0) }
        return (profile + rest).joined(separator: ":")
    }

    static func split(_ value: String?) -> [String] {
        (value ?? "").split(separator: ":").map(String.init)
    }
}
