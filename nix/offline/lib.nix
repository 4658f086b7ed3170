# Builders of the offline package set: derivations run the host's /bin/sh (sandbox = false),
# read the host's Debian files and rewrite ELF files with the host's patchelf.
# Evaluation is pure: host paths only appear as strings handed to builders.
{ system ? "x86_64-linux", pkgs }:

let
  inherit (builtins) concatStringsSep isString map removeAttrs;

  hostPath = "/usr/bin:/bin:/usr/sbin:/sbin";

  # nixpkgs-style attributes on top of a plain derivation.
  withPassthru = drv: extra: drv // extra;

  self = rec {
    inherit system hostPath;

    # runCommand NAME ENV SCRIPT: like nixpkgs' runCommand; the script runs in the host's
    # bash with the host's PATH (coreutils, sed, ...). ENV may carry `passthru` and `meta`.
    runCommand = name: env: script:
      let
        passthru = env.passthru or { };
        meta = env.meta or { };
        drv = derivation ((removeAttrs env [ "passthru" "meta" ]) // {
          inherit name system;
          builder = "/bin/bash";
          args = [ "-e" "-c" "eval \"$buildCommand\"" ];
          buildCommand = script;
          PATH = hostPath;
        });
      in withPassthru drv ({ inherit meta; } // passthru);
    runCommandLocal = runCommand;
    runCommandNoCC = runCommand;

    writeTextFile = { name, text, executable ? false, destination ? "", checkPhase ? "", meta ? { } }:
      runCommand name {
        inherit text executable destination;
        passAsFile = [ "text" ];
        inherit meta;
      } ''
        target="$out$destination"
        mkdir -p "$(dirname "$target")"
        cp "$textPath" "$target"
        if [ -n "$executable" ]; then chmod +x "$target"; fi
        ${checkPhase}
      '';
    writeText = name: text: writeTextFile { inherit name text; };
    writeScript = name: text: writeTextFile { inherit name text; executable = true; };
    writeScriptBin = name: text:
      writeTextFile { inherit name text; executable = true; destination = "/bin/${name}"; meta.mainProgram = name; };
    # Shell scripts use the store's bash, so they also run where /bin/sh does not exist.
    writeShellScript = name: text:
      writeTextFile { inherit name; executable = true; text = "#!${pkgs.bash}/bin/bash\n${text}"; };
    writeShellScriptBin = name: text:
      writeTextFile {
        inherit name; executable = true; destination = "/bin/${name}";
        text = "#!${pkgs.bash}/bin/bash\n${text}"; meta.mainProgram = name;
      };

    # The host's glibc (Debian libc6, plus libgcc_s as in nixpkgs) as one store path.
    # Every other package uses its loader and libc.
    glibc = withPassthru (derivation {
      name = "glibc-2.36";
      inherit system;
      builder = "/bin/sh";
      args = [ "-e" ./builders/glibc.sh ];
      PATH = hostPath;
    }) { pname = "glibc"; version = "2.36"; meta = { }; };

    # debianPackage: copy host files into $out and make them self-contained.
    #   files          host paths; a string is placed by convention (/usr/bin/x -> bin/x,
    #                  /usr/lib/x86_64-linux-gnu/x -> lib/x, /usr/share/x -> share/x,
    #                  /etc/x -> etc/x), { src; dest; } puts SRC at DEST (relative to $out,
    #                  a trailing / means "into this directory"). Globs are allowed.
    #   debs, debFilter  copy the files of these Debian packages matching the regex
    #   libraryInputs  store packages whose lib/ may provide needed libraries (then they are
    #                  referenced via RUNPATH instead of copied)
    #   extraRunpath   directories relative to $out put first in RUNPATH (instead of $ORIGIN)
    #   postInstall, postFixup  shell snippets (before / after ELF patching)
    # Every ELF file gets interpreter ${glibc}/lib/ld-linux-x86-64.so.2 and RUNPATH
    # $out/lib:<libraryInputs>/lib:${glibc}/lib; its needed non-glibc libraries (ldd on the
    # host, transitive) are copied into $out/lib and patched the same way.
    debianPackage =
      { name
      , files ? [ ]
      , debs ? [ ]
      , debFilter ? "."
      , libraryInputs ? [ ]
      , extraRunpath ? [ ]
      , postInstall ? ""
      , postFixup ? ""
      , allowMissingLibs ? false
      , dontPatchELF ? false
      , passthru ? { }
      , meta ? { }
      , ...
      }@args:
      let
        toLine = f: if isString f then "${f}\t-" else "${f.src}\t${f.dest}";
        extraEnv = removeAttrs args [ "name" "files" "debs" "debFilter" "libraryInputs"
          "extraRunpath" "postInstall" "postFixup" "allowMissingLibs" "dontPatchELF" "passthru" "meta" ];
      in
      withPassthru (derivation (extraEnv // {
        inherit name system glibc debs debFilter libraryInputs extraRunpath postInstall postFixup
          allowMissingLibs dontPatchELF;
        builder = "/bin/sh";
        args = [ "-e" ./builders/debian-package.sh ];
        PATH = hostPath;
        copyList = concatStringsSep "\n" (map toLine files);
      })) ({ inherit meta; } // passthru);

    # nixpkgs' closureInfo { rootPaths }: $out/store-paths (the closure, one path a line, sorted)
    # and $out/registration in `nix-store --load-db`'s format (path, sha256 NAR hash, NAR size,
    # deriver, number of references, references), so an image whose store holds the closure can
    # register it in its own Nix database (dockerTools' includeNixDB does the same). The graph
    # comes from Nix (exportReferencesGraph); the NAR hash and size from the host's nix-store.
    closureInfo = { rootPaths }:
      let roots = map (p: "${p}") rootPaths;
      in derivation {
        name = "closure-info";
        inherit system;
        builder = "/bin/sh";
        args = [ "-e" ./builders/closure-info.sh ];
        PATH = hostPath;
        exportReferencesGraph = builtins.concatLists (builtins.genList
          (i: [ "graph-${toString i}" (builtins.elemAt roots i) ]) (builtins.length roots));
        graphCount = builtins.length roots;
      };

    # nixpkgs' buildEnv: a symlink-tree union of `paths`.
    buildEnv =
      { name
      , paths
      , ignoreCollisions ? false
      , checkCollisionContents ? true
      , pathsToLink ? [ "/" ]
      , extraOutputsToInstall ? [ ]
      , extraPrefix ? ""
      , postBuild ? ""
      , meta ? { }
      , passthru ? { }
      , ...
      }:
      withPassthru (derivation {
        inherit name system ignoreCollisions postBuild;
        paths = map (p: "${p}") paths;
        pathsToLink = map (p: if p == "/" then "/" else p) pathsToLink;
        builder = "/bin/sh";
        args = [ "-e" ./builders/build-env.sh ];
        PATH = hostPath;
      }) ({ inherit meta paths; } // passthru);

    symlinkJoin = { name, paths, postBuild ? "", meta ? { }, passthru ? { }, ... }:
      buildEnv { inherit name paths postBuild meta passthru; ignoreCollisions = true; };
  };
in
self
