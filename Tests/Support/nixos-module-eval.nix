# Evaluates a module printed by `slipway deploy NAME --nixos-module` with a small stand-in for
# nixpkgs' `lib` (the test machines have no nixpkgs) and the module's own option defaults:
#   nix-instantiate --eval --strict --json nixos-module-eval.nix --arg module ./m.nix --argstr name web
# Booleans become "yes"/"no" and numbers strings, as in a unit file. `unit` is the unit file the
# tests install where NixOS puts one. Not NixOS's module system: no types, priorities or merging.
{ module, name }:
let
  lib = {
    mkOption = o: o;
    mkIf = c: v: if c then v else { };
    mkDefault = v: v;
    optionalAttrs = c: s: if c then s else { };
    mapAttrs = builtins.mapAttrs;
    types = { bool = "bool"; str = "str"; };
  };
  m = import module {
    inherit lib;
    pkgs = { };
    config.services.slipway.${name} = builtins.mapAttrs (_: o: o.default) m.options.services.slipway.${name};
  };
  s = m.config.systemd.services."slipway-${name}";
  show = v: if builtins.isBool v then (if v then "yes" else "no") else toString v;
  section = attrs: builtins.attrValues (builtins.mapAttrs (k: v: "${k}=${show v}") attrs);
in
{
  inherit (s) description after wants wantedBy;
  serviceConfig = builtins.mapAttrs (_: show) s.serviceConfig;
  users = m.config.users.users;
  unit = builtins.concatStringsSep "\n" (
    [ "[Unit]" "Description=${s.description}" "After=${toString s.after}" "Wants=${toString s.wants}" ]
    ++ section s.unitConfig
    ++ [ "" "[Service]" ] ++ section s.serviceConfig
    ++ [ "" "[Install]" "WantedBy=${toString s.wantedBy}" "" ]
  );
}
