import ArgumentParser
import SlipwayEnvironment

/// `--pure` / `--impure`: override the profile's `pure` setting for one command.
struct PurityOptions: ParsableArguments {
    @Flag(help: "Only the profile's PATH and the kept variables (HOME, TERM, LANG, CI*, keep_env...).")
    var pure = false

    @Flag(help: "The caller's environment with the profile's PATH in front.")
    var impure = false

    func validate() throws {
        if pure && impure { throw ValidationError("give --pure or --impure, not both") }
    }

    /// `true`/`false` when a flag was given, else `nil` (the profile decides).
    var override: Bool? { pure ? true : impure ? false : nil }

    /// `cached` with the override applied.
    func apply(_ cached: CachedEnvironment) -> CachedEnvironment { Self.apply(override, to: cached) }

    /// `cached` with `override` (`--pure`: `true`, `--impure`: `false`, neither: `nil`) applied.
    static func apply(_ override: Bool?, to cached: CachedEnvironment) -> CachedEnvironment {
        var cached = cached
        cached.pure = override ?? cached.pure
        return cached
    }
}
