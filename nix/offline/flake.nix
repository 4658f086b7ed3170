{
  description = "Slipway's offline package set: nixpkgs attribute names, built from the host's Debian packages";

  # No inputs: everything comes from the host's Debian packages (see README.md).
  outputs = { self }: {
    legacyPackages.x86_64-linux = import ./default.nix { system = "x86_64-linux"; };
  };
}
