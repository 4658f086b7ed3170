# Python 3.11 from Debian (python3.11-minimal, libpython3.11-stdlib, ...) and Debian's
# python3-* modules, with nixpkgs' interface: python3, python3.pkgs / python3Packages,
# python3.withPackages (ps: [ ps.flask ps.pytest ]), python3.interpreter, sitePackages, ...
{ pkgs }:

let
  inherit (builtins) attrValues concatMap elem foldl' listToAttrs map;
  inherit (pkgs) debianPackage runCommand;

  pythonVersion = "3.11";
  sitePackages = "lib/python${pythonVersion}/site-packages";
  # Debian's byte code is timestamp-checked and the store resets mtimes: recompile with the
  # same interpreter (host python3.11 = the one copied) so that imports never re-check sources.
  compile = dir: ''
    find "${dir}" -name __pycache__ -type d -prune -exec rm -rf {} +
    /usr/bin/python${pythonVersion} -m compileall -q --invalidation-mode unchecked-hash -x '/lib2to3/tests/data/' "${dir}" >/dev/null
  '';

  # The interpreter: bin/python3.11 (Debian's, with libpython linked in) and the standard
  # library in lib/python3.11 (lib-dynload patched like every ELF file). Python finds its
  # prefix from its own location (the landmark lib/python3.11/os.py), so it never reads the
  # host's /usr/lib/python3*; Debian's site.py then only adds $prefix-relative directories.
  unwrapped = debianPackage {
    name = "python3-${pythonVersion}";
    debs = [ "python3.11-minimal" "libpython3.11-minimal" "libpython3.11-stdlib"
             "python3-distutils" "python3-lib2to3" ];
    debFilter = "^/usr/(bin/python3\\.11$|lib/python3\\.11/)";
    postInstall = ''
      rm -rf "$out/lib/python3.11/test" "$out/lib/python3.11/sitecustomize.py" \
        "$out/lib/python3.11/EXTERNALLY-MANAGED"
      mkdir -p "$out/${sitePackages}"
      ln -s python3.11 "$out/bin/python3"
      ln -s python3.11 "$out/bin/python"
      ${compile "$out/lib/python3.11"}
    '';
    postFixup = ''
      "$out/bin/python3" -c 'import sys, ssl, sqlite3, ctypes, zlib, bz2, lzma, json, decimal, readline; assert sys.prefix == "'"$out"'", sys.prefix'
    '';
    passthru = {
      pname = "python3";
      version = "3.11.2";
      inherit pythonVersion sitePackages;
      executable = "python${pythonVersion}";
      isPy3k = true;
    };
    meta.mainProgram = "python3";
  };

  # A Python module from Debian: the files of `debs` under /usr/lib/python3/dist-packages, put
  # in lib/python3.11/site-packages; `propagatedBuildInputs` as in nixpkgs (withPackages takes
  # their closure). Console scripts are written by withPackages from the entry points.
  mkModule = { pname, version, debs ? [ "python3-${pname}" ], propagatedBuildInputs ? [ ] }:
    debianPackage {
      name = "python3.11-${pname}-${version}";
      inherit debs;
      debFilter = "^/usr/lib/python3/dist-packages/";
      libraryInputs = [ unwrapped ];
      postInstall = ''
        mkdir -p "$out/lib/python3.11"
        mv "$out/lib/python3/dist-packages" "$out/${sitePackages}"
        rmdir "$out/lib/python3"
        ${compile "$out/${sitePackages}"}
      '';
      passthru = {
        inherit pname version propagatedBuildInputs pythonVersion;
        pythonModule = unwrapped;
      };
    };

  packages = with packages; {
    markupsafe = mkModule { pname = "markupsafe"; version = "2.1.2"; };
    jinja2 = mkModule { pname = "jinja2"; version = "3.1.2"; propagatedBuildInputs = [ markupsafe ]; };
    werkzeug = mkModule { pname = "werkzeug"; version = "2.2.2"; propagatedBuildInputs = [ markupsafe ]; };
    itsdangerous = mkModule { pname = "itsdangerous"; version = "2.1.2"; };
    colorama = mkModule { pname = "colorama"; version = "0.4.6"; };
    click = mkModule { pname = "click"; version = "8.1.3"; propagatedBuildInputs = [ colorama ]; };
    blinker = mkModule { pname = "blinker"; version = "1.5"; };
    flask = mkModule {
      pname = "flask"; version = "2.2.2";
      propagatedBuildInputs = [ click itsdangerous jinja2 werkzeug ];
    };
    psycopg2 = mkModule { pname = "psycopg2"; version = "2.9.5"; };
    setuptools = mkModule {
      pname = "setuptools"; version = "66.1.1";
      debs = [ "python3-setuptools" "python3-pkg-resources" ];
    };
    gunicorn = mkModule { pname = "gunicorn"; version = "20.1.0"; propagatedBuildInputs = [ setuptools ]; };
    attrs = mkModule { pname = "attrs"; version = "22.2.0"; debs = [ "python3-attr" ]; };
    iniconfig = mkModule { pname = "iniconfig"; version = "1.1.1"; };
    packaging = mkModule { pname = "packaging"; version = "23.0"; };
    pluggy = mkModule { pname = "pluggy"; version = "1.0.0"; };
    py = mkModule { pname = "py"; version = "1.11.0"; };
    more-itertools = mkModule { pname = "more-itertools"; version = "8.10.0"; };
    pytest = mkModule {
      pname = "pytest"; version = "7.2.1";
      propagatedBuildInputs = [ attrs iniconfig packaging pluggy py more-itertools setuptools ];
    };
  };

  # The packages and everything they propagate, each once, in order.
  closure = ps:
    let
      add = acc: p:
        if elem p.name (map (x: x.name) acc) then acc
        else foldl' add (acc ++ [ p ]) (p.propagatedBuildInputs or [ ]);
    in
    foldl' add [ ] ps;

  # python3.withPackages (ps: [ ... ]): a virtual environment in the store. bin/python3 is a
  # wrapper that runs the interpreter with argv[0] = this environment's bin/python3, so Python
  # reads $out/pyvenv.cfg (prefix = $out, site-packages = $out/lib/python3.11/site-packages,
  # no host or user directories) wherever the environment is linked from (a profile, an
  # image's PATH). No PYTHONPATH is set, so child interpreters of other environments are not
  # affected. Console scripts of the packages (entry_points.txt) go to bin/, with the
  # environment's python as interpreter.
  withPackages = f:
    let
      modules = closure (f packages);
      self = runCommand "python3-${pythonVersion}-env" {
        python = unwrapped;
        modules = map (m: "${m}") modules;
        shell = "${pkgs.bash}/bin/bash";
        inherit sitePackages;
        passthru = {
          pname = "python3";
          inherit (unwrapped) version executable isPy3k;
          inherit pythonVersion sitePackages unwrapped withPackages;
          requiredPythonModules = modules;
          pkgs = packages;
          interpreter = "${self}/bin/python${pythonVersion}";
          env = self;
        };
        meta.mainProgram = "python3";
      } ''
        mkdir -p "$out/bin" "$out/$sitePackages"
        printf 'home = %s/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n' "$python" > "$out/pyvenv.cfg"
        for m in $modules; do
          for e in "$m/$sitePackages"/* "$m/$sitePackages"/.[!.]*; do
            [ -e "$e" ] || continue
            n=''${e##*/}
            if [ "$n" = __pycache__ ]; then       # top-level modules' byte code, of several packages
              mkdir -p "$out/$sitePackages/__pycache__"
              ln -s "$e"/* "$out/$sitePackages/__pycache__/"
              continue
            fi
            if [ -e "$out/$sitePackages/$n" ]; then
              echo "python withPackages: $n from $m collides with $(readlink "$out/$sitePackages/$n")" >&2; exit 1
            fi
            ln -s "$e" "$out/$sitePackages/$n"
          done
        done
        for exe in python3.11 python3 python; do
          printf '#!%s\nexec -a "%s" "%s" "$@"\n' "$shell" "$out/bin/$exe" "$python/bin/python3.11" > "$out/bin/$exe"
          chmod +x "$out/bin/$exe"
        done
        "$out/bin/python3" - "$out/bin" $modules <<'EOF'
        import configparser, glob, os, sys
        bindir, mods = sys.argv[1], sys.argv[2:]
        for m in mods:
            for ep in sorted(glob.glob(os.path.join(m, os.environ["sitePackages"], "*-info", "entry_points.txt"))):
                cp = configparser.ConfigParser(delimiters=("=",))
                cp.optionxform = str
                cp.read(ep)
                for name, target in (cp["console_scripts"].items() if "console_scripts" in cp else []):
                    module, _, attr = target.partition(":")
                    attr = attr.split("[")[0].strip()
                    path = os.path.join(bindir, name.strip())
                    with open(path, "w") as f:
                        f.write(f"#!{bindir}/python3\nimport sys\nfrom {module.strip()} import {attr.split('.')[0]}\n"
                                f"sys.exit({attr}())\n")
                    os.chmod(path, 0o755)
        EOF
        "$out/bin/python3" -c 'import sys; assert sys.prefix == "'"$out"'", sys.prefix'
      '';
    in
    self;

  python3 = unwrapped // {
    pkgs = packages;
    inherit withPackages unwrapped;
    interpreter = "${unwrapped}/bin/python${pythonVersion}";
  };
in
{
  inherit python3;
  python311 = python3;
  python = python3;
  python3Packages = packages;
  python311Packages = packages;
}
