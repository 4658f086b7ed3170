#!/usr/bin/env bash
# check-closure.sh PATH...
#
# Checks that every ELF file in the Nix closure of each PATH (a store path, or a symlink to
# one such as ./result) resolves its libraries to /nix/store only: nothing from /lib, /usr/lib
# or /lib64. For each dynamic ELF file:
#   1. its interpreter (PT_INTERP), if any, and every RUNPATH/RPATH entry is in /nix/store;
#   2. `<store ld.so> --list FILE` (the glibc loader of the file) resolves everything in the
#      store;
#   3. `ldd FILE` with that loader (the host's ldd script, pointed at the store loader) idem;
#   4. the host's `ldd FILE` idem, except for the loader line: the host ldd always traces with
#      the host's /lib64/ld-linux-x86-64.so.2, which it then prints for the interpreter.
# Statically linked files are accepted. Exits 1 and names the offending files (and lines) if
# any check fails, 2 on usage errors.
set -u

if [ $# -eq 0 ]; then
  echo "usage: $0 STORE-PATH..." >&2
  exit 2
fi

fail=0
nfiles=0
report() { # FILE MESSAGE
  echo "FAIL $1: $2"
  fail=1
}

store_only() { # FILE LABEL OUTPUT [skip-interp-line]
  local file=$1 label=$2 out=$3 skip=${4:-}
  local line left right
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}
    [ -n "$line" ] || continue
    case "$line" in
      linux-vdso.so*|*"statically linked"*) continue ;;
    esac
    if [[ $line == *" => "* ]]; then
      left=${line%% => *}
      right=${line#* => }
      right=${right%% (*}
      if [ -n "$skip" ] && [[ ${left##*/} == ld-linux-x86-64.so.2 ]]; then
        # host ldd: the right side is the host loader doing the tracing; the left side is
        # the file's own interpreter (checked separately) or its DT_NEEDED loader name.
        continue
      fi
      if [[ $right == "not found" ]]; then
        report "$file" "$label: $left not found"
      elif [[ $right != /nix/store/* ]]; then
        report "$file" "$label: $left => $right"
      fi
    else
      right=${line%% (*}
      if [ -n "$skip" ] && [[ ${right##*/} == ld-linux-x86-64.so.2 ]]; then continue; fi
      if [[ $right != /nix/store/* ]]; then
        report "$file" "$label: $line"
      fi
    fi
  done <<< "$out"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

roots=()
for p in "$@"; do
  r=$(readlink -f "$p")
  if [[ $r != /nix/store/* ]]; then
    echo "not a store path: $p" >&2
    exit 2
  fi
  roots+=("$r")
done

mapfile -t closure < <(nix-store -qR "${roots[@]}" | sort -u)

for sp in "${closure[@]}"; do
  # ELF files (not following symlinks: every file is checked in the store path that owns it)
  while IFS= read -r f; do
    nfiles=$((nfiles + 1))
    dyn=$(readelf -d "$f" 2>/dev/null)
    if ! grep -q '(NEEDED)\|(RUNPATH)\|(RPATH)\|(SONAME)' <<< "$dyn"; then
      continue                                   # statically linked
    fi
    interp=$(patchelf --print-interpreter "$f" 2>/dev/null || true)
    if [ -n "$interp" ] && [[ $interp != /nix/store/* ]]; then
      report "$f" "interpreter $interp"
    fi
    rp=$(sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]$/\2/p' <<< "$dyn")
    IFS=: read -r -a rpdirs <<< "$rp"
    for d in "${rpdirs[@]}"; do
      [ -n "$d" ] || continue
      [[ $d == /nix/store/* ]] || report "$f" "RUNPATH entry $d"
    done
    # the store loader to trace with: the interpreter, else the glibc in the RUNPATH
    ld=""
    if [[ $interp == /nix/store/* ]]; then
      ld=$interp
    else
      for d in "${rpdirs[@]}"; do
        if [[ $d == /nix/store/* ]] && [ -x "$d/ld-linux-x86-64.so.2" ]; then ld=$d/ld-linux-x86-64.so.2; break; fi
      done
    fi
    case "${f##*/}" in
      ld-linux-x86-64.so.2) continue ;;          # the loader itself needs nothing
    esac
    if [ -z "$ld" ]; then
      report "$f" "no store glibc loader (neither interpreter nor in RUNPATH)"
      continue
    fi
    # 2. the store loader
    store_only "$f" "ld.so --list" "$("$ld" --list "$f" 2>&1)"
    # 3. ldd with the store loader
    lddstore="$tmp/ldd-${ld//\//_}"
    if [ ! -e "$lddstore" ]; then
      sed "s|^RTLDLIST=.*|RTLDLIST=\"$ld\"|" "$(command -v ldd)" > "$lddstore"
    fi
    store_only "$f" "ldd (store loader)" "$(bash "$lddstore" "$f" 2>&1)"
    # 4. the host's ldd
    store_only "$f" "ldd" "$(ldd "$f" 2>&1)" skip-loader
  done < <(find "$sp" -type f | perl -ne 'chomp; open(my $f, "<", $_) or next; read($f, my $b, 4); print "$_\n" if $b eq "\x7fELF";')
done

if [ $fail -ne 0 ]; then
  echo "check-closure: FAILED (${#closure[@]} store paths, $nfiles ELF files)"
  exit 1
fi
echo "check-closure: OK (${#closure[@]} store paths, $nfiles ELF files, all libraries in /nix/store)"
