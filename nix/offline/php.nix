# PHP 8.2 from Debian (php8.2-cli, php8.2-fpm and the extension packages) with nixpkgs'
# interface: php82.buildEnv { extensions = { enabled, all }: ...; extraConfig = "..."; },
# php82.withExtensions, php82.extensions, php82.enabledExtensions, php82.unwrapped, ...
{ pkgs }:

let
  inherit (builtins) concatMap concatStringsSep elem filter foldl' listToAttrs map sort;
  inherit (pkgs) debianPackage runCommand;

  version = "8.2";
  apiDir = "/usr/lib/php/20220829";

  # The interpreter itself: bin/php (CLI) and bin/php-fpm, without any extension loaded.
  # Debian's compiled-in php.ini directory (/etc/php/8.2/cli) is blanked out of the
  # binaries: the wrappers always pass `-c <store php.ini>`, so it is never searched, and
  # `php --ini` then lists store paths only.
  unwrapped = debianPackage {
    name = "php-unwrapped-${version}";
    files = [
      { src = "/usr/bin/php${version}"; dest = "bin/php"; }
      { src = "/usr/sbin/php-fpm${version}"; dest = "bin/php-fpm"; }
    ];
    postInstall = ''
      # only the first 7 bytes change: the linker shares the tail ("cli") with other strings
      perl -0777 -pi -e 's{/etc/php/8\.2/(cli|fpm)\0}{(none)\0p/8.2/$1\0}g' "$out/bin/php" "$out/bin/php-fpm"
      "$out/bin/php" -n -r 'exit(PHP_SAPI === "cli" ? 0 : 1);'
      "$out/bin/php" -n --ini | grep -q '^Configuration File (php.ini) Path: (none)$'

      mkdir -p "$out/sbin" "$out/lib/php/extensions"
      ln -s ../bin/php-fpm "$out/sbin/php-fpm"
    '';
    passthru = { pname = "php"; inherit version; };
    meta.mainProgram = "php";
  };

  # One derivation per extension: lib/php/extensions/NAME.so, with the libraries it needs
  # (those not already in php-unwrapped/lib) copied into its own lib/.
  mkExtension = { name, zendExtension ? false, priority ? 20, internalDeps ? [ ], extraIni ? "" }:
    debianPackage {
      name = "php-${name}-${version}";
      files = [ { src = "${apiDir}/${name}.so"; dest = "lib/php/extensions/${name}.so"; } ];
      libraryInputs = [ unwrapped ];
      passthru = {
        pname = "php-${name}";
        extensionName = name;
        inherit version zendExtension priority internalDeps extraIni;
      };
    };

  # All extensions available (nixpkgs: php.extensions / phpExtensions). Priorities follow
  # Debian's conf.d ordering.
  all = with all; listToAttrs (map (e: { name = e.extensionName; value = e; }) [
    (mkExtension { name = "opcache"; zendExtension = true; priority = 10; extraIni = "opcache.jit=off"; })
    (mkExtension { name = "pdo"; priority = 10; })
    (mkExtension { name = "xml"; priority = 15; })
    (mkExtension { name = "calendar"; })
    (mkExtension { name = "ctype"; })
    (mkExtension { name = "dom"; internalDeps = [ xml ]; })
    (mkExtension { name = "exif"; })
    (mkExtension { name = "ffi"; })
    (mkExtension { name = "fileinfo"; })
    (mkExtension { name = "ftp"; })
    (mkExtension { name = "gettext"; })
    (mkExtension { name = "intl"; })
    (mkExtension { name = "iconv"; })
    (mkExtension { name = "mbstring"; })
    (mkExtension { name = "phar"; })
    (mkExtension { name = "posix"; })
    (mkExtension { name = "readline"; })
    (mkExtension { name = "shmop"; })
    (mkExtension { name = "simplexml"; internalDeps = [ xml ]; })
    (mkExtension { name = "sockets"; })
    (mkExtension { name = "sysvmsg"; })
    (mkExtension { name = "sysvsem"; })
    (mkExtension { name = "sysvshm"; })
    (mkExtension { name = "tokenizer"; })
    (mkExtension { name = "xmlreader"; internalDeps = [ xml dom ]; })
    (mkExtension { name = "xmlwriter"; internalDeps = [ xml ]; })
    (mkExtension { name = "xsl"; internalDeps = [ xml dom ]; })
    # not enabled by default
    (mkExtension { name = "pgsql"; })
    (mkExtension { name = "pdo_pgsql"; internalDeps = [ pdo ]; })
    (mkExtension { name = "igbinary"; extraIni = "igbinary.compact_strings=On"; })
    (mkExtension { name = "redis"; internalDeps = [ igbinary ]; priority = 25; })
    (mkExtension { name = "apcu"; })
    (mkExtension { name = "xdebug"; zendExtension = true; priority = 30; })
  ]);

  # Debian's default CLI set (php8.2-common, -opcache, -readline, -xml, -mbstring, -intl) without
  # the extensions of separate packages (xdebug, apcu, redis/igbinary, pgsql/pdo_pgsql).
  defaultEnabled = with all; [
    opcache pdo xml calendar ctype dom exif ffi fileinfo ftp gettext iconv intl mbstring phar
    posix readline shmop simplexml sockets sysvmsg sysvsem sysvshm tokenizer xmlreader
    xmlwriter xsl
  ];

  # Ordered like Debian's conf.d (priority, then name), each extension's internalDeps placed
  # before it, duplicates removed.
  orderExtensions = exts:
    let
      byPriority = sort (a: b: a.priority < b.priority
        || (a.priority == b.priority && a.extensionName < b.extensionName)) exts;
      has = acc: e: elem e.extensionName (map (x: x.extensionName) acc);
      add = acc: e:
        if has acc e then acc
        else (foldl' add acc e.internalDeps) ++ [ e ];
    in
    foldl' add [ ] byPriority;

  iniFor = exts: extraConfig: concatStringsSep "\n" ([
    "; generated by nix/offline/php.nix"
    "extension_dir = \"@out@/lib/php/extensions\""
    "include_path = \".\""
  ] ++ concatMap (e:
    [ "${if e.zendExtension then "zend_extension" else "extension"}=${e}/lib/php/extensions/${e.extensionName}.so" ]
    ++ (if e.extraIni != "" then [ e.extraIni ] else [ ])
  ) exts ++ [ extraConfig "" ]);

  # A php-fpm configuration used when `php-fpm` is started without -y/--fpm-config, for
  # containers: foreground, listen on 9000 (like the official Docker image), log to stderr.
  # The wrapper then also passes -O (log to stderr even when it is not a TTY): error_log is
  # /dev/null rather than /proc/self/fd/2, which a non-root user often may not open.
  fpmConf = ''
    [global]
    daemonize = no
    error_log = /dev/null
    log_limit = 8192

    [www]
    listen = 9000
    pm = dynamic
    pm.max_children = 5
    pm.start_servers = 2
    pm.min_spare_servers = 1
    pm.max_spare_servers = 3
    clear_env = no
    catch_workers_output = yes
    decorate_workers_output = no
  '';

  mkEnv = { enabled, extraConfig }:
    let
      exts = orderExtensions enabled;
      self = runCommand "php-with-extensions-${version}" {
        phpIni = iniFor exts extraConfig;
        inherit fpmConf;
        extPaths = map (e: "${e}/lib/php/extensions/${e.extensionName}.so") exts;
        shell = "${pkgs.bash}/bin/bash";
        gconv = "${pkgs.glibcGconv}/lib/gconv";
        php = unwrapped;
        passAsFile = [ "phpIni" "fpmConf" ];
        passthru = {
          pname = "php";
          inherit version unwrapped;
          extensions = all;
          enabledExtensions = exts;
          packages = mkPackages self;
          phpIni = "${self}/lib/php.ini";
          # nixpkgs: chained calls start from the current extensions and config
          buildEnv = { extensions ? ({ enabled, ... }: enabled), extraConfig ? "" }@a:
            mkEnv {
              enabled = extensions { enabled = exts; inherit all; };
              extraConfig = concatStringsSep "\n" (filter (s: s != "") [ extraConfigAll (a.extraConfig or "") ]);
            };
          withExtensions = f: self.buildEnv { extensions = f; };
          inherit extraConfig;
        };
        meta.mainProgram = "php";
      } ''
        mkdir -p "$out/bin" "$out/sbin" "$out/lib/php/extensions" "$out/etc"
        sed "s|@out@|$out|g" "$phpIniPath" > "$out/lib/php.ini"
        cp "$fpmConfPath" "$out/etc/php-fpm.conf"
        for e in $extPaths; do ln -s "$e" "$out/lib/php/extensions/''${e##*/}"; done

        # Wrappers (as nixpkgs' makeWrapper): the store's php.ini via -c, never the host's;
        # PHP_INI_SCAN_DIR is left alone when set, else set empty (no scan directory);
        # GCONV_PATH points glibc's iconv at the store's modules unless already set.
        cat > "$out/bin/php" <<EOF
        #!$shell
        export PHP_INI_SCAN_DIR="\''${PHP_INI_SCAN_DIR-}"
        export GCONV_PATH="\''${GCONV_PATH-$gconv}"
        exec -a "\$0" "$php/bin/php" -c "$out/lib/php.ini" "\$@"
        EOF
        cat > "$out/bin/php-fpm" <<EOF
        #!$shell
        export PHP_INI_SCAN_DIR="\''${PHP_INI_SCAN_DIR-}"
        export GCONV_PATH="\''${GCONV_PATH-$gconv}"
        conf=(-y "$out/etc/php-fpm.conf" -O)
        for a in "\$@"; do
          case "\$a" in -y|-y*|--fpm-config|--fpm-config=*) conf=() ;; esac
        done
        exec -a "\$0" "$php/bin/php-fpm" -c "$out/lib/php.ini" "\''${conf[@]}" "\$@"
        EOF
        chmod +x "$out/bin/php" "$out/bin/php-fpm"
        ln -s ../bin/php-fpm "$out/sbin/php-fpm"
      '';
      extraConfigAll = extraConfig;
    in
    self;

  php82 = mkEnv { enabled = defaultEnabled; extraConfig = ""; };

  # A PHP program from Debian (Debian's /usr/bin script plus the /usr/share/php libraries of
  # `debs`), nixpkgs-style: $out/share/php/<libs>, $out/share/php/NAME/NAME, $out/bin/NAME.
  # Debian's libraries find each other through include_path (/usr/share/php): every quoted
  # "<lib dir>/....php" path is rewritten to its absolute store path (and the scripts'
  # __DIR__ . '/../share/php/...' too). bin/NAME runs the script
  # with the `php` found on PATH when that is a store PHP (e.g. the project's php82.buildEnv
  # with its extensions), else with `php` (php82 by default) from its closure.
  mkPhpProgram = { pname, version, debs, script, php, extraDebFilter ? "" }:
    debianPackage {
      name = "${pname}-${version}";
      inherit debs;
      debFilter = "^/usr/share/php/${extraDebFilter}";
      files = [ { src = script; dest = "share/php/${pname}/${pname}"; } ];
      dontPatchELF = true;
      inherit php pname;
      shell = "${pkgs.bash}/bin/bash";
      postInstall = ''
        share="$out/share/php"
        libDirs=$(cd "$share" && ls -d */ | sed 's|/$||' | grep -vx "$pname" | paste -sd'|')
        find "$share" -type f \( -name '*.php' -o -name "$pname" \) -print0 |
          xargs -0 sed -i -E \
            -e "s#(['\"])(($libDirs)/[^'\"]*\.php)\1#\1$share/\2\1#g" \
            -e "s#__DIR__[[:space:]]*\.[[:space:]]*'/\.\./share/php/#'$share/#g"
        if grep -rnE "(require|include)(_once)?[[:space:]]*\(?[[:space:]]*['\"]($libDirs)/" "$share"; then
          echo "$pname: include_path-relative requires left" >&2; exit 1
        fi
        sed -i "1s|^#!.*|#!$php/bin/php|" "$share/$pname/$pname"
        mkdir -p "$out/bin"
        cat > "$out/bin/$pname" <<EOF
        #!$shell
        # the php on PATH if it is a store PHP (resolving symlinks), else our own
        if p=\$(type -P php); then
          case "\$p" in /nix/store/*) ;; *) p=\$(readlink -f "\$p" 2>/dev/null) || p="" ;; esac
          case "\$p" in /nix/store/*) ;; *) p="" ;; esac
        fi
        exec "\''${p:-$php/bin/php}" "$share/$pname/$pname" "\$@"
        EOF
        chmod +x "$out/bin/$pname"
      '';
      passthru = { inherit pname version; };
      meta.mainProgram = pname;
    };

  # PHP packages built with a given php (nixpkgs: php.packages / php82Packages).
  mkPackages = php: {
    phpunit = mkPhpProgram {
      pname = "phpunit";
      version = "9.6";
      script = "/usr/bin/phpunit";
      inherit php;
      debs = [
        "phpunit" "php-codecoverage" "php-file-iterator" "php-invoker" "php-text-template"
        "php-timer" "php-deepcopy" "php-doctrine-instantiator" "php-phar-io-manifest"
        "php-phar-io-version" "php-parser" "php-tokenizer" "phpunit-cli-parser"
        "phpunit-code-unit" "phpunit-code-unit-reverse-lookup" "phpunit-comparator"
        "phpunit-complexity" "phpunit-diff" "phpunit-environment" "phpunit-exporter"
        "phpunit-global-state" "phpunit-lines-of-code" "phpunit-object-enumerator"
        "phpunit-object-reflector" "phpunit-recursion-context" "phpunit-resource-operations"
        "phpunit-type" "phpunit-version"
      ];
    };
    composer = mkPhpProgram {
      pname = "composer";
      version = "2.5";
      script = "/usr/bin/composer";
      inherit php;
      debs = [
        "composer" "php-composer-ca-bundle" "php-composer-class-map-generator"
        "php-composer-metadata-minifier" "php-composer-semver" "php-composer-spdx-licenses"
        "php-composer-xdebug-handler" "php-json-schema" "php-psr-log" "jsonlint"
        "php-symfony-console" "php-symfony-filesystem" "php-symfony-finder"
        "php-symfony-process" "php-react-promise" "php-composer-pcre"
        "php-seld-signal-handler" "php-symfony-deprecation-contracts"
        "php-symfony-service-contracts" "php-psr-container" "php-symfony-string"
      ];
    };
  };

  php82Packages = mkPackages php82;
  phpunit = php82Packages.phpunit;
  composer = php82Packages.composer;
in
{
  inherit php82 phpunit composer;
  php = php82;
  php82Extensions = all;
  phpExtensions = all;
  inherit php82Packages;
  phpPackages = php82Packages;
}
