# Builder for `closureInfo { rootPaths }` (nixpkgs' name and outputs): the closure of the roots,
# from the graphs Nix exported (exportReferencesGraph: per path its store path, an empty deriver
# line, number of references, references), as $out/store-paths and as $out/registration for
# `nix-store --load-db` (per path: store path, sha256:NAR hash, NAR size, deriver (left empty,
# as nixpkgs' closureInfo does), number of references, references).
#   graphCount, graph-0 ... graph-N
set -eu
mkdir -p "$out"
i=0
while [ "$i" -lt "$graphCount" ]; do cat "graph-$i"; i=$((i + 1)); done > graphs
# One line per path: path|references (space-separated); sorted, unique.
awk '
  state == 0 { path = $0; state = 1; next }
  state == 1 { state = 2; next }
  state == 2 { left = $0 + 0; refs = ""; if (left == 0) { print path "|"; state = 0 } else state = 3; next }
  state == 3 { refs = (refs == "" ? $0 : refs " " $0); if (--left == 0) { print path "|" refs; state = 0 } }
' graphs | sort -u > records
cut -d'|' -f1 records > "$out/store-paths"
while IFS='|' read -r path refs; do
  hash="$(nix-store --dump "$path" | sha256sum | cut -d' ' -f1)"
  size="$(nix-store --dump "$path" | wc -c)"
  set -- $refs
  printf '%s\nsha256:%s\n%s\n\n%s\n' "$path" "$hash" "$size" "$#"
  for ref in "$@"; do printf '%s\n' "$ref"; done
done < records > "$out/registration"
