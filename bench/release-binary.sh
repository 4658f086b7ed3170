# Sourced by the benches: prints the path of the `slipway` they measure, the binary users get
# (scripts/release: release build, static Swift stdlib, only glibc from the host). SLIPWAY_BIN
# (or SLIPWAY) names one that is already built, e.g. the one a CI run of scripts/release left in
# `$(swift build -c release --show-bin-path)`; otherwise scripts/release builds it (a cold
# release build takes 5-25 min on 2 cores). Also prints the load average, which every bench
# records with its figures.
release_binary() {
  local repo="$1" given="${SLIPWAY_BIN:-${SLIPWAY:-}}"
  if [ -z "$given" ]; then
    bash "$repo/scripts/release" --out "$repo/dist" >&2
    given="$(cd "$repo" && swift build -c release --show-bin-path)/slipway"
  fi
  echo "bench: measuring $given ($("$given" --version)); load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  echo "$given"
}
