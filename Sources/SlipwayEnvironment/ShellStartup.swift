/// How `slipway shell` starts the user's shell so that the user's startup files run (aliases,
/// prompt) and the profile's `PATH` is put back in front afterwards, whatever they prepended.
///
/// - bash: `--rcfile` with `/etc/bash.bashrc` and `~/.bashrc`, then the profile first.
/// - zsh: `ZDOTDIR` points at Slipway's folder, whose `.zshenv` sources the user's `.zshenv`
///   (from the caller's `ZDOTDIR`, else `HOME`) and whose `.zshrc` sources the user's `.zshrc`
///   (from `ZDOTDIR` as the user's `.zshenv` left it), then puts the profile first.
/// - fish: `--init-command`, which fish runs after `config.fish`.
/// - any other shell (`sh`, `dash`, `ash`): `ENV`, read by interactive POSIX shells, sourcing the
///   caller's `ENV` first.
///
/// Each ends with the prompt marker and `[shell] on_enter`, run by `/bin/sh`.
public struct ShellStartup: Sendable {
    /// The shell's command line.
    public var arguments: [String]
    /// The shell's environment.
    public var environment: [String: String]
    /// Startup files to write first: absolute path and text.
    public var files: [(path: String, text: String)]

    /// - Parameters:
    ///   - shell: the shell's path (`$SHELL`).
    ///   - environment: the profile's environment (``ProcessEnvironment/make(_:inherited:)``).
    ///   - directory: a folder of Slipway's for the startup files (`.slipway/shell/<profile>`).
    ///   - marker: put in front of the prompt, e.g. `(slipway:dev) `.
    public init(shell: String, environment: [String: String], directory: String, marker: String, onEnter: String?) {
        var env = environment
        let name = shell.split(separator: "/").last.map(String.init) ?? shell
        let hook = onEnter.map { "/bin/sh -c \(EnvironmentFormat.shellQuote($0))\n" } ?? ""
        switch name {
        case "bash":
            let rc = directory + "/bashrc"
            files = [(rc, """
                [ -f /etc/bash.bashrc ] && . /etc/bash.bashrc
                [ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
                \(Self.posixFront)
                PS1=\(EnvironmentFormat.shellQuote(marker))"$PS1"

                """ + hook)]
            arguments = [shell, "--rcfile", rc, "-i"]
        case "zsh":
            if let zdotdir = environment["ZDOTDIR"] { env["SLIPWAY_USER_ZDOTDIR"] = zdotdir }
            env["ZDOTDIR"] = directory
            files = [
                (directory + "/.zshenv", Self.zshenv(directory)), (directory + "/.zshrc", Self.zshrc(marker) + hook),
            ]
            arguments = [shell, "-i"]
        case "fish":
            let rc = directory + "/init.fish"
            let fishHook = onEnter.map { "/bin/sh -c \(EnvironmentFormat.fishQuote($0))\n" } ?? ""
            files = [(rc, Self.fishInit(marker) + fishHook)]
            arguments = [shell, "-i", "--init-command", "source \(EnvironmentFormat.fishQuote(rc))"]
        default:
            let rc = directory + "/shrc"
            if let user = environment["ENV"] { env["SLIPWAY_USER_ENV"] = user }
            env["ENV"] = rc
            files = [(rc, """
                if [ -n "${SLIPWAY_USER_ENV:-}" ] && [ -f "$SLIPWAY_USER_ENV" ]; then . "$SLIPWAY_USER_ENV"; fi
                \(Self.posixFront)
                PS1=\(EnvironmentFormat.shellQuote(marker))"${PS1:-$ }"

                """ + hook)]
            arguments = [shell, "-i"]
        }
        self.environment = env
    }

    /// POSIX sh: drop the folders in `SLIPWAY_PATH_ADDED` from `PATH`, then put them in front.
    static let posixFront = #"""
        __slipway_rest=; __slipway_ifs=$IFS; IFS=:
        for __slipway_dir in $PATH; do
          case ":$SLIPWAY_PATH_ADDED:" in
            *":$__slipway_dir:"*) ;;
            *) __slipway_rest="$__slipway_rest${__slipway_rest:+:}$__slipway_dir" ;;
          esac
        done
        IFS=$__slipway_ifs
        PATH="$SLIPWAY_PATH_ADDED${SLIPWAY_PATH_ADDED:+${__slipway_rest:+:}}$__slipway_rest"; export PATH
        unset __slipway_rest __slipway_ifs __slipway_dir
        """#

    static func zshenv(_ directory: String) -> String {
        #"""
        if [ -n "${SLIPWAY_USER_ZDOTDIR+x}" ]; then ZDOTDIR=$SLIPWAY_USER_ZDOTDIR; else unset ZDOTDIR; fi
        unset SLIPWAY_USER_ZDOTDIR
        [ -f "${ZDOTDIR:-$HOME}/.zshenv" ] && . "${ZDOTDIR:-$HOME}/.zshenv"
        __slipway_zdotdir_set=${ZDOTDIR+x}; __slipway_zdotdir=${ZDOTDIR-}

        """# + "ZDOTDIR=\(EnvironmentFormat.shellQuote(directory))\n"
    }

    static func zshrc(_ marker: String) -> String {
        #"""
        if [ -n "$__slipway_zdotdir_set" ]; then ZDOTDIR=$__slipway_zdotdir; else unset ZDOTDIR; fi
        unset __slipway_zdotdir __slipway_zdotdir_set
        [ -f "${ZDOTDIR:-$HOME}/.zshrc" ] && . "${ZDOTDIR:-$HOME}/.zshrc"
        () { local -a added; added=(${(s.:.)SLIPWAY_PATH_ADDED}); path=($added ${path:|added}); }
        export PATH

        """# + "PROMPT=\(EnvironmentFormat.shellQuote(marker))\"$PROMPT\"\n"
    }

    static func fishInit(_ marker: String) -> String {
        """
        set -l __slipway_added (string split -n : -- "$SLIPWAY_PATH_ADDED")
        set -l __slipway_rest
        for __slipway_dir in $PATH
            contains -- $__slipway_dir $__slipway_added; or set -a __slipway_rest $__slipway_dir
        end
        set -gx PATH $__slipway_added $__slipway_rest
        if functions -q fish_prompt
            functions -c fish_prompt __slipway_fish_prompt
        else
            function __slipway_fish_prompt; echo -n '> '; end
        end
        function fish_prompt; echo -n \(EnvironmentFormat.fishQuote(marker)); __slipway_fish_prompt; end

        """
    }
}
