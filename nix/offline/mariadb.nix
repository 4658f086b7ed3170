# MariaDB 10.11 from Debian (mariadb-server-core, mariadb-client-core, mariadb-client,
# mariadb-server's plugins) under nixpkgs' names: mariadb_1011, mariadb.
#
# Debian's mariadbd looks for its files under /usr (basedir, plugin-dir, charsets): the real
# binary is libexec/mariadbd and bin/mariadbd (= sbin/mariadbd, mysqld) is a wrapper that
# passes --basedir=$out and --lc-messages-dir after the option-file options (--no-defaults,
# --defaults-file=...), which mariadbd wants first. mariadb-install-db is Debian's script with
# its basedir defaulting to $out and the tools it calls (sed, dirname, ...) from busybox.
{ pkgs }:

let
  inherit (pkgs) debianPackage bash busybox;

  version = "10.11";

  clients = [
    "mariadb" "mariadb-admin" "mariadb-binlog" "mariadb-check" "mariadb-dump" "mariadb-import"
    "mariadb-show" "mariadb-slap" "mariadb-tzinfo-to-sql" "mariadb-upgrade" "my_print_defaults"
    "resolveip" "perror" "innochecksum"
  ];
  # nixpkgs' mariadb links the old MySQL names too.
  aliases = {
    mysql = "mariadb"; mysqladmin = "mariadb-admin"; mysqlbinlog = "mariadb-binlog";
    mysqlcheck = "mariadb-check"; mysqldump = "mariadb-dump"; mysqlimport = "mariadb-import";
    mysqlshow = "mariadb-show"; mysqlslap = "mariadb-slap"; mysql_tzinfo_to_sql = "mariadb-tzinfo-to-sql";
    mysql_upgrade = "mariadb-upgrade"; mysql_install_db = "mariadb-install-db"; mysqld = "mariadbd";
  };
  links = builtins.concatStringsSep "\n"
    (builtins.attrValues (builtins.mapAttrs (alias: target: ''ln -s ${target} "$out/bin/${alias}"'') aliases));

  mariadb_1011 = debianPackage {
    name = "mariadb-server-${version}";
    files = map (c: "/usr/bin/${c}") clients ++ [
      { src = "/usr/sbin/mariadbd"; dest = "libexec/mariadbd"; }
      { src = "/usr/bin/mariadb-install-db"; dest = "bin/mariadb-install-db"; }
      { src = "/usr/share/mysql"; dest = "share/mysql"; }
      { src = "/usr/lib/mysql/plugin/*.so"; dest = "lib/mysql/plugin/"; }
    ];
    postInstall = ''
      # Debian's service helpers and test data, not needed to run a server
      for f in debian-start.inc.sh echo_stderr mini-benchmark wsrep_notify; do rm -f "$out/share/mysql/$f"; done
      rm -f "$out"/lib/mysql/plugin/auth_pam*.so

      cat > "$out/bin/mariadbd" <<EOF
      #!${bash}/bin/bash
      # Option-file options must come first: keep them, then point mariadbd at the store.
      first=()
      while [ \$# -gt 0 ]; do
        case "\$1" in
          --no-defaults|--print-defaults|--defaults-file=*|--defaults-extra-file=*|--defaults-group-suffix=*)
            first+=("\$1"); shift ;;
          *) break ;;
        esac
      done
      exec -a "\$0" $out/libexec/mariadbd "\''${first[@]}" --basedir=$out --lc-messages-dir=$out/share/mysql "\$@"
      EOF
      chmod +x "$out/bin/mariadbd"
      mkdir -p "$out/sbin"
      ln -s ../bin/mariadbd "$out/sbin/mariadbd"

      # mariadb-install-db: the store's bash, basedir = $out by default, its tools from busybox
      sed -i \
        -e '1c #!${bash}/bin/bash' \
        -e '2i export PATH="${busybox}/bin''${PATH:+:$PATH}"' \
        -e 's|^basedir=""$|basedir="'"$out"'"|' \
        "$out/bin/mariadb-install-db"
      grep -q "^basedir=\"$out\"$" "$out/bin/mariadb-install-db"

      ${links}
    '';
    passthru = { pname = "mariadb"; inherit version; mysqlVersion = "5.7"; };
    meta.mainProgram = "mariadbd";
  };
in
{
  inherit mariadb_1011;
  mariadb = mariadb_1011;
}
