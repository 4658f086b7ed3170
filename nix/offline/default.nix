# The offline package set: nixpkgs attribute names and calling conventions, built from the
# host's Debian packages (see README.md). `import ./default.nix { }` gives the attribute set
# that flake.nix exposes as legacyPackages.x86_64-linux.
{ system ? "x86_64-linux" }:

let
  lib = import ./lib.nix { inherit system pkgs; };
  inherit (lib) debianPackage glibc;

  php = import ./php.nix { inherit pkgs; };
  python = import ./python.nix { inherit pkgs; };
  mariadb = import ./mariadb.nix { inherit pkgs; };

  pkgs = lib // php // python // mariadb // rec {
    inherit pkgs;

    busybox = debianPackage {
      name = "busybox-1.35.0";
      files = [ { src = "/bin/busybox"; dest = "bin/busybox"; } ];
      # static binary: nothing to patch; link every applet like nixpkgs' busybox
      postInstall = ''
        for a in $("$out/bin/busybox" --list); do
          [ "$a" = busybox ] || ln -s busybox "$out/bin/$a"
        done
      '';
      passthru = { pname = "busybox"; version = "1.35.0"; shellPath = "/bin/sh"; };
      meta.mainProgram = "busybox";
    };

    bashInteractive = debianPackage {
      name = "bash-interactive-5.2";
      files = [ { src = "/bin/bash"; dest = "bin/bash"; } ];
      postInstall = ''ln -s bash "$out/bin/sh"'';
      passthru = { pname = "bash"; version = "5.2"; shellPath = "/bin/bash"; };
      meta.mainProgram = "bash";
    };
    bash = bashInteractive;
    runtimeShell = "${bash}/bin/bash";
    runtimeShellPackage = bash;

    coreutils = debianPackage {
      name = "coreutils-9.1";
      debs = [ "coreutils" ];
      debFilter = "^/(usr/)?bin/";
      passthru = { pname = "coreutils"; version = "9.1"; };
    };

    findutils = debianPackage {
      name = "findutils-4.9.0";
      debs = [ "findutils" ];
      debFilter = "^/(usr/)?bin/";
      passthru = { pname = "findutils"; version = "4.9.0"; };
    };

    cacert = debianPackage {
      name = "nss-cacert-debian";
      files = [ { src = "/etc/ssl/certs/ca-certificates.crt"; dest = "etc/ssl/certs/ca-bundle.crt"; } ];
      postInstall = ''ln -s ca-bundle.crt "$out/etc/ssl/certs/ca-certificates.crt"'';
      dontPatchELF = true;
      passthru = { pname = "nss-cacert"; version = "debian"; };
    };

    # glibc's iconv modules (Debian: /usr/lib/x86_64-linux-gnu/gconv). glibc looks for them at
    # that host path unless GCONV_PATH is set: the PHP wrappers set GCONV_PATH to this.
    glibcGconv = debianPackage {
      name = "glibc-gconv-2.36";
      files = [ { src = "/usr/lib/x86_64-linux-gnu/gconv"; dest = "lib/gconv"; } ];
      extraRunpath = [ "lib/gconv" ];
      passthru = { pname = "glibc-gconv"; version = "2.36"; gconvPath = "${glibcGconv}/lib/gconv"; };
    };

    # nixpkgs layout: $out/share/zoneinfo. Debian's PHP and PostgreSQL read time zones from
    # /usr/share/zoneinfo only (compiled in, no TZDIR): images that run them need
    # /usr/share/zoneinfo -> ${tzdata}/share/zoneinfo (see README.md).
    tzdata = debianPackage {
      name = "tzdata-debian";
      files = [ "/usr/share/zoneinfo" ];
      dontPatchELF = true;
      passthru = { pname = "tzdata"; version = "debian"; };
    };

    redis = debianPackage {
      name = "redis-7.0";
      files = [
        { src = "/usr/bin/redis-check-rdb"; dest = "bin/redis-server"; }
        "/usr/bin/redis-cli"
        "/usr/bin/redis-benchmark"
      ];
      # redis-server is a multi-call binary (argv[0]), as in Debian
      postInstall = ''
        for a in redis-check-rdb redis-check-aof redis-sentinel; do ln -s redis-server "$out/bin/$a"; done
      '';
      passthru = { pname = "redis"; version = "7.0"; };
      meta.mainProgram = "redis-server";
    };

    # Debian's PostgreSQL 15 in the same relative layout (lib/postgresql/15/bin,
    # lib/postgresql/15/lib, share/postgresql/15), so that postgres and initdb find their share
    # and lib files relative to their own location; bin/ links to the binaries.
    postgresql_15 = debianPackage {
      name = "postgresql-15";
      files = [
        { src = "/usr/lib/postgresql/15/bin/*"; dest = "lib/postgresql/15/bin/"; }
        { src = "/usr/lib/postgresql/15/lib/*.so"; dest = "lib/postgresql/15/lib/"; }
        { src = "/usr/share/postgresql/15/*"; dest = "share/postgresql/15/"; }
      ];
      postInstall = ''
        rm -rf "$out/share/postgresql/15/man" "$out/lib/postgresql/15/lib/llvmjit"*
        mkdir -p "$out/bin"
        for f in "$out"/lib/postgresql/15/bin/*; do
          ln -s "../lib/postgresql/15/bin/''${f##*/}" "$out/bin/''${f##*/}"
        done
      '';
      passthru = { pname = "postgresql"; version = "15"; psqlSchema = "15"; };
      meta.mainProgram = "postgres";
    };
    postgresql = postgresql_15;

    # nodesource's Node.js 20 (Debian package `nodejs`, with npm, npx and corepack under
    # lib/node_modules as on the host). npm's scripts start with `#!/usr/bin/env node`: bin/npm,
    # bin/npx and bin/corepack are wrappers that run them with this package's node.
    nodejs_20 = debianPackage {
      name = "nodejs-20";
      files = [
        "/usr/bin/node"
        { src = "/usr/lib/node_modules"; dest = "lib/node_modules"; }
      ];
      postInstall = ''
        for t in npm:npm/bin/npm-cli.js npx:npm/bin/npx-cli.js corepack:corepack/dist/corepack.js; do
          printf '#!${bash}/bin/bash\nexec %s/bin/node %s/lib/node_modules/%s "$@"\n' \
            "$out" "$out" "''${t#*:}" > "$out/bin/''${t%%:*}"
          chmod +x "$out/bin/''${t%%:*}"
        done
      '';
      passthru = { pname = "nodejs"; version = "20"; };
      meta.mainProgram = "node";
    };
    nodejs = nodejs_20;
    nodejs-slim = nodejs_20;

    nginx = debianPackage {
      name = "nginx-1.22";
      files = [
        { src = "/usr/sbin/nginx"; dest = "bin/nginx"; }
        { src = "/etc/nginx/mime.types"; dest = "conf/"; }
        { src = "/etc/nginx/fastcgi.conf"; dest = "conf/"; }
        { src = "/etc/nginx/fastcgi_params"; dest = "conf/"; }
        { src = "/etc/nginx/scgi_params"; dest = "conf/"; }
        { src = "/etc/nginx/uwsgi_params"; dest = "conf/"; }
        { src = "/etc/nginx/koi-utf"; dest = "conf/"; }
        { src = "/etc/nginx/koi-win"; dest = "conf/"; }
        { src = "/etc/nginx/win-utf"; dest = "conf/"; }
        { src = "/usr/share/nginx/html"; dest = "html"; }
      ];
      passthru = { pname = "nginx"; version = "1.22"; };
      meta.mainProgram = "nginx";
    };

    # Debian's Nix 2.8 (nix-bin): `bin/nix` and the `nix-*` commands (copies: the builder
    # dereferences links), its own libraries from /usr/lib/nix in lib/nix (put in RUNPATH), the
    # libraries they need copied next to them. For images that run Nix (a CI job image).
    nix = debianPackage {
      name = "nix-2.8.0";
      debs = [ "nix-bin" ];
      debFilter = "^/usr/(bin/|lib/nix/lib|share/(bash-completion|zsh|fish)/)";
      extraRunpath = [ "lib/nix" ];
      # The build hook Debian's nix runs for every build (its default `build-hook` is
      # /usr/libexec/nix/build-remote, a link to nix): the same link here, for a nix.conf
      # outside Debian to point at (the Slipway image's does).
      postInstall = ''
        mkdir -p "$out/libexec/nix"
        ln -s ../../bin/nix "$out/libexec/nix/build-remote"
      '';
      passthru = { pname = "nix"; version = "2.8.0"; };
      meta.mainProgram = "nix";
    };

    # Debian's caddy 2.6 (a Go binary; libzstd is copied next to it and patched like the rest).
    caddy = debianPackage {
      name = "caddy-2.6";
      files = [ "/usr/bin/caddy" ];
      passthru = { pname = "caddy"; version = "2.6"; };
      meta.mainProgram = "caddy";
    };
  };
in
pkgs
