# Builder for `buildEnv` / `symlinkJoin`: a symlink-tree union of `paths`, like nixpkgs'
# buildEnv: a directory provided by one package only is a symlink to it; a directory provided
# by several is a real directory whose entries are linked recursively.
#   paths ignoreCollisions pathsToLink postBuild
set -eu

is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | tail -c 3)" = ELF ]; }

collision() { # existing new
  if [ "$(readlink -f "$1")" = "$(readlink -f "$2")" ]; then return 0; fi
  if [ -f "$1" ] && [ -f "$2" ] && cmp -s "$1" "$2"; then return 0; fi
  # The same Debian library copied into two packages' lib/ differs only by its RUNPATH; each
  # package uses its own copy, so the first one wins (not a collision).
  case "${1##*/}" in
    *.so|*.so.*) if [ -f "$1" ] && [ -f "$2" ] && is_elf "$1" && is_elf "$2"; then return 0; fi ;;
  esac
  if [ "${ignoreCollisions:-}" = 1 ]; then return 0; fi
  echo "buildEnv: collision between $(readlink -f "$1") and $(readlink -f "$2")" >&2
  exit 1
}

# unfold DIR: DIR is a symlink to a directory; make it a real directory of links.
unfold() {
  local target
  target=$(readlink "$1")
  rm "$1"
  mkdir "$1"
  link_tree "$target" "$1"
}

link_tree() { # SRC-DIR DEST-DIR (DEST-DIR is a real directory)
  local e t
  for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    t="$2/${e##*/}"
    if [ -d "$e" ]; then
      if [ -L "$t" ] && [ -d "$t" ]; then unfold "$t"; link_tree "$e" "$t"
      elif [ -d "$t" ]; then link_tree "$e" "$t"
      elif [ -e "$t" ] || [ -L "$t" ]; then collision "$t" "$e"
      else ln -s "$e" "$t"
      fi
    else
      if [ -d "$t" ] && [ ! -L "$t" ]; then collision "$t" "$e"
      elif [ -e "$t" ] || [ -L "$t" ]; then collision "$t" "$e"
      else ln -s "$e" "$t"
      fi
    fi
  done
}

mkdir -p "$out"
for p in ${paths:-}; do
  for sub in ${pathsToLink:-/}; do
    sub=${sub%/}
    [ -d "$p$sub" ] || continue
    mkdir -p "$out$sub"
    # the first package to provide a top-level directory below $sub gets it linked whole
    link_tree "$p$sub" "$out$sub"
  done
done
if [ -n "${postBuild:-}" ]; then eval "$postBuild"; fi
