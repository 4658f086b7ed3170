# Builder for `glibc`: the host's glibc (Debian libc6) and libgcc_s (as nixpkgs' glibc
# carries it), in one store path. libc.so.6 etc. get RUNPATH $out/lib so that the libraries
# glibc itself dlopens (libnss_*, libgcc_s) are found in the store.
set -eu
src=/lib/x86_64-linux-gnu
mkdir -p "$out/lib"
for f in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libmvec.so.1 libpthread.so.0 libdl.so.2 \
         librt.so.1 libresolv.so.2 libutil.so.1 libanl.so.1 libBrokenLocale.so.1 libnsl.so.1 \
         libthread_db.so.1 libc_malloc_debug.so.0 libmemusage.so libpcprofile.so \
         libnss_compat.so.2 libnss_dns.so.2 libnss_files.so.2 libnss_hesiod.so.2 libgcc_s.so.1; do
  if [ -e "$src/$f" ]; then cp -L "$src/$f" "$out/lib/$f"; fi
done
[ -e "$out/lib/ld-linux-x86-64.so.2" ] && [ -e "$out/lib/libc.so.6" ] || { echo "glibc: host libc6 not found" >&2; exit 1; }
chmod u+w "$out"/lib/*
mkdir -p "$out/lib64"
ln -s ../lib/ld-linux-x86-64.so.2 "$out/lib64/ld-linux-x86-64.so.2"
for f in "$out"/lib/*; do
  case "${f##*/}" in ld-linux-x86-64.so.2) continue ;; esac
  if patchelf --print-interpreter "$f" >/dev/null 2>&1; then
    patchelf --set-interpreter "$out/lib/ld-linux-x86-64.so.2" --set-rpath "$out/lib" "$f"
  else
    patchelf --set-rpath "$out/lib" "$f"
  fi
done
mkdir -p "$out/share/doc"
dpkg-query -W -f '${Package} ${Version}\n' libc6 libgcc-s1 > "$out/share/doc/debian-packages" 2>/dev/null || true
