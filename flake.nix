{
  description = "Slipway: one manifest from the dev shell to production, with Nix underneath";

  # The package is the release binary (scripts/release: static Swift runtime, needs only glibc),
  # with its ELF interpreter set to the package set's glibc, so it runs on NixOS too.
  # `release` is the release tarball; offline, or to install a build of your own, override it:
  #   nix build github:slipway-dev/slipway --override-input release file:///path/slipway-0.1.0-x86_64-linux.tar.gz
  # (and `--override-input nixpkgs path:.../nix/offline` where nixpkgs cannot be fetched).
  # docs/install.md says what was tested.
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    release = {
      url = "https://github.com/slipway-dev/slipway/releases/download/v0.1.0/slipway-0.1.0-x86_64-linux.tar.gz";
      flake = false;
    };
  };

  outputs = { self, nixpkgs, release }:
    let
      system = "x86_64-linux";
      version = "0.1.0";
      slipwayFor = pkgs: pkgs.runCommand "slipway-${version}" {
        meta.mainProgram = "slipway";
        passthru = { inherit version; };
      } ''
        mkdir -p $out/bin $out/share
        cp ${release}/bin/slipway $out/bin/slipway
        chmod u+w $out/bin/slipway
        ${pkgs.patchelf or ""}${if pkgs ? patchelf then "/bin/" else ""}patchelf \
          --set-interpreter ${pkgs.glibc}/lib/ld-linux-x86-64.so.2 \
          --set-rpath ${pkgs.glibc}/lib $out/bin/slipway
        chmod 0555 $out/bin/slipway
        cp -r ${release}/share/. $out/share/
        cp ${release}/LICENSE $out/share/LICENSE
      '';
    in
    {
      packages.${system} = rec {
        slipway = slipwayFor nixpkgs.legacyPackages.${system};
        default = slipway;
      };
      apps.${system}.default = {
        type = "app";
        program = "${self.packages.${system}.default}/bin/slipway";
      };
      overlays.default = final: prev: { slipway = slipwayFor final; };
    };
}
