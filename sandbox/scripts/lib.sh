# Helpers to build Docker images from this machine's own Debian files (no registry is reachable).
# Source it; every function takes the rootfs directory first.
set -euo pipefail

# add_bin ROOT FILE... : copy each executable and every shared library `ldd` names (plus the loader) into ROOT,
# at the same paths.
add_bin() {
  local root=$1 f lib
  shift
  for f in "$@"; do
    f=$(readlink -f "$(command -v "$f" || echo "$f")")
    mkdir -p "$root$(dirname "$f")"
    cp -a --dereference "$f" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' | grep -v '^/dev' || true); do
      [ -e "$lib" ] || continue
      mkdir -p "$root$(dirname "$lib")"
      cp -a --dereference "$lib" "$root$lib"
    done
  done
}

# add_file ROOT PATH... : copy files or directories, keeping their paths.
add_file() {
  local root=$1 p
  shift
  for p in "$@"; do
    mkdir -p "$root$(dirname "$p")"
    cp -a --dereference "$p" "$root$p"
  done
}

# base_fs ROOT : usrmerged skeleton (ldd names /lib/... and /lib64/..., so both spellings must work),
# static busybox with all applet links (sh, wget, nslookup, ...), CA bundle, passwd/group, nsswitch.
base_fs() {
  local root=$1 applet
  mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc/ssl/certs,tmp,root,var/run,run,proc,sys,dev}
  ln -sfn usr/bin "$root/bin"
  ln -sfn usr/sbin "$root/sbin"
  ln -sfn usr/lib "$root/lib"
  ln -sfn usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  cp /usr/bin/busybox "$root/usr/bin/busybox"
  for applet in $("$root/usr/bin/busybox" --list); do
    [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
  done
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# import_root ROOT TAG [--change ...] : tar ROOT (numeric owners) into `docker import`.
import_root() {
  local root=$1 tag=$2
  shift 2
  tar -C "$root" --numeric-owner -cf - . | docker import "$@" - "$tag" >/dev/null
}
