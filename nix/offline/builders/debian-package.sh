# Builder for `debianPackage` (see lib.nix). Runs under the host's /bin/sh with
# sandbox = false, so it can read the host's Debian files.
#
# Inputs (environment, set by lib.nix):
#   out            output path
#   glibc          the store glibc (lib/ld-linux-x86-64.so.2, lib/libc.so.6, ...)
#   copyList       lines "SRC<TAB>DEST"; DEST "-" = default mapping (see dest_for);
#                  SRC may be a glob; SRC may be a directory (copied recursively)
#   debs           Debian package names whose files (dpkg -L) are copied ...
#   debFilter      ... when they match this extended regex
#   libraryInputs  store paths whose lib/ may satisfy needed libraries (not copied)
#   extraRunpath   directories relative to $out searched (and put in RUNPATH) before $out/lib
#   postInstall    shell snippet run after copying, before ELF patching
#   postFixup      shell snippet run after ELF patching
#   dontPatchELF   "1" to skip the ELF step
set -eu

log() { echo "debianPackage: $*" >&2; }

# Host path -> path inside $out: /usr/bin/x -> bin/x, /usr/lib/x86_64-linux-gnu/x -> lib/x,
# /lib/x86_64-linux-gnu/x -> lib/x, /usr/share/x -> share/x, /etc/x -> etc/x, /sbin/x -> sbin/x.
dest_for() {
  p=${1#/}
  p=${p#usr/}
  case "$p" in
    lib/x86_64-linux-gnu/*) p="lib/${p#lib/x86_64-linux-gnu/}" ;;
    lib64/*) p="lib/${p#lib64/}" ;;
  esac
  echo "$p"
}

copy_one() { # SRC DEST(relative to $out; trailing / = into directory)
  c_src=$1 c_dest=$2
  case "$c_dest" in
    */) mkdir -p "$out/$c_dest"; c_dest="$c_dest${c_src##*/}" ;;
  esac
  mkdir -p "$(dirname "$out/$c_dest")"
  if [ -d "$c_src" ]; then
    mkdir -p "$out/$c_dest"
    cp -RL "$c_src/." "$out/$c_dest/"
  else
    rm -f "$out/$c_dest"
    cp -L "$c_src" "$out/$c_dest"
  fi
}

mkdir -p "$out"

# 1. Explicit files.
tab=$(printf '\t')
if [ -n "${copyList:-}" ]; then
  printf '%s\n' "$copyList" > "$TMPDIR/copylist"
  while IFS="$tab" read -r src dest; do
    [ -n "$src" ] || continue
    found=0
    for m in $src; do            # glob expansion on purpose
      if [ ! -e "$m" ]; then continue; fi
      found=1
      if [ "$dest" = "-" ]; then
        copy_one "$m" "$(dest_for "$m")"
      elif [ "$m" != "$src" ]; then
        copy_one "$m" "${dest%/}/"   # glob with explicit DEST: DEST is a directory
      else
        copy_one "$m" "$dest"
      fi
    done
    if [ $found = 0 ]; then
      log "missing host file: $src (is its Debian package installed? see README.md)"
      exit 1
    fi
  done < "$TMPDIR/copylist"
fi

# 2. Files of whole Debian packages (filtered).
for deb in ${debs:-}; do
  dpkg-query -L "$deb" > "$TMPDIR/deb.list" || { log "Debian package $deb is not installed"; exit 1; }
  grep -E "${debFilter:-.}" "$TMPDIR/deb.list" | while read -r f; do
    if [ -d "$f" ] && [ ! -L "$f" ]; then continue; fi
    [ -e "$f" ] || continue
    copy_one "$f" "$(dest_for "$f")"
  done
done

chmod -R u+w "$out"

if [ -n "${postInstall:-}" ]; then eval "$postInstall"; fi
chmod -R u+w "$out"

# 3. ELF files: copy needed non-glibc libraries, set interpreter and RUNPATH.
list_elfs() {
  find "$out" -type f | perl -ne 'chomp; open(my $f, "<", $_) or next; read($f, my $b, 4); print "$_\n" if $b eq "\x7fELF";'
}

if [ "${dontPatchELF:-}" != 1 ]; then
  ld="$glibc/lib/ld-linux-x86-64.so.2"
  list_elfs > "$TMPDIR/elfs"
  if [ -s "$TMPDIR/elfs" ]; then
    # ldd (host resolution) gives the transitive closure of needed libraries.
    # It must run before patching, while the files still use the host loader.
    tr '\n' '\0' < "$TMPDIR/elfs" | xargs -0 ldd 2>/dev/null > "$TMPDIR/ldd.out" || true
    if grep -q 'not found' "$TMPDIR/ldd.out"; then
      log "unresolved libraries:"; grep -E '^/|not found' "$TMPDIR/ldd.out" | grep -B1 'not found' >&2 || true
      [ "${allowMissingLibs:-}" = 1 ] || exit 1
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' "$TMPDIR/ldd.out" | sort -u > "$TMPDIR/needed"
    mkdir -p "$out/lib"
    while read -r name path; do
      base=${name##*/}
      [ -e "$glibc/lib/$base" ] && continue          # provided by glibc, shared
      [ -e "$out/lib/$base" ] && continue            # already there
      hit=""
      for d in ${extraRunpath:-}; do
        if [ -e "$out/$d/$base" ]; then hit=$d; break; fi
      done
      [ -n "$hit" ] && continue                      # in one of our own directories
      hit=""
      for i in ${libraryInputs:-}; do
        if [ -e "$i/lib/$base" ]; then hit=$i; break; fi
      done
      [ -n "$hit" ] && continue                      # provided by a library input
      cp -L "$path" "$out/lib/$base"
      chmod u+w "$out/lib/$base"
    done < "$TMPDIR/needed"

    rpath=""
    for d in ${extraRunpath:-}; do rpath="$rpath$out/$d:"; done
    rpath="$rpath$out/lib"
    for i in ${libraryInputs:-}; do rpath="$rpath:$i/lib"; done
    rpath="$rpath:$glibc/lib"

    list_elfs > "$TMPDIR/elfs"
    while read -r f; do
      if ! patchelf --print-rpath "$f" >/dev/null 2>&1; then
        continue                                     # static: nothing to do
      fi
      if patchelf --print-interpreter "$f" >/dev/null 2>&1; then
        patchelf --set-interpreter "$ld" --set-rpath "$rpath" "$f"
      else
        patchelf --set-rpath "$rpath" "$f"
      fi
    done < "$TMPDIR/elfs"
    rmdir "$out/lib" 2>/dev/null || true
  fi
fi

if [ -n "${postFixup:-}" ]; then eval "$postFixup"; fi
