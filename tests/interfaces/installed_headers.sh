#!/bin/sh
# Installs the build into a temporary prefix (meson install --destdir) and
# compiles every installed header on its own, with nothing but what
# `pkg-config --cflags hilcap` (headers under include/hilcap/) or
# `pkg-config --cflags hilcap-win32` (the headers by their Windows names,
# include/hilcap-win32/) give from that prefix: as C++20, and the C headers
# (those with a __cplusplus guard, and every Windows-named one) also as C11.
# A header that needs one that is not installed, or that is not complete on
# its own, fails here with the compiler's message.
# Arguments: build directory, prefix, libdir, includedir, pkg-config.
# Environment: CC and CXX (the build's compilers).
set -eu
build=$1
prefix=$2
libdir=$3
includedir=$4
pkg_config=$5

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hilcap-installed-headers.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
root="$scratch/root"
meson install -C "$build" --no-rebuild --quiet --destdir "$root" >"$scratch/install.log" 2>&1 || {
  cat "$scratch/install.log" >&2
  echo "installed-headers: meson install --destdir failed" >&2
  exit 1
}

case $libdir in /*) pcdir="$root$libdir/pkgconfig" ;; *) pcdir="$root$prefix/$libdir/pkgconfig" ;; esac
case $includedir in /*) incdir="$root$includedir" ;; *) incdir="$root$prefix/$includedir" ;; esac
for module in hilcap hilcap-win32; do
  [ -f "$pcdir/$module.pc" ] || { echo "installed-headers: no $module.pc in $pcdir" >&2; exit 1; }
done
# The installed .pc files first, their paths moved under the temporary root;
# then the system's own (hilcap.pc requires fmt, as a client's build would
# find it).
system_pc_path=$("$pkg_config" --variable pc_path pkg-config)
cflags() {
  PKG_CONFIG_LIBDIR="$pcdir:$system_pc_path" PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR="$root" \
    "$pkg_config" --cflags "$1"
}
hilcap_cflags=$(cflags hilcap)
win32_cflags=$(cflags hilcap-win32)

failed=0
checked=0
# compile LANGUAGE STANDARD CFLAGS INCLUDE-NAME
compile() {
  unit="$scratch/unit.$1"
  printf '#include <%s>\n' "$4" >"$unit"
  if [ "$1" = c ]; then compiler=$CC; else compiler=$CXX; fi
  # shellcheck disable=SC2086 # compilers and flags are lists of words
  if ! $compiler -std="$2" -fsyntax-only -Wall -Wextra -Werror $3 "$unit" \
      >"$scratch/compile.log" 2>&1; then
    echo "installed-headers: <$4> does not compile on its own as $2 with $5:" >&2
    cat "$scratch/compile.log" >&2
    failed=$((failed + 1))
  fi
  checked=$((checked + 1))
}

[ -d "$incdir/hilcap" ] || { echo "installed-headers: nothing in $incdir/hilcap" >&2; exit 1; }
for header in $(cd "$incdir" && find hilcap -name '*.h' | LC_ALL=C sort); do
  compile cpp c++20 "$hilcap_cflags" "$header" "pkg-config --cflags hilcap"
  if grep -q '__cplusplus' "$incdir/$header"; then
    compile c c11 "$hilcap_cflags" "$header" "pkg-config --cflags hilcap"
  fi
done
for header in $(cd "$incdir/hilcap-win32" && find . -name '*.h' | sed 's|^\./||' | LC_ALL=C sort); do
  compile cpp c++20 "$win32_cflags" "$header" "pkg-config --cflags hilcap-win32"
  compile c c11 "$win32_cflags" "$header" "pkg-config --cflags hilcap-win32"
done

echo "installed-headers: $checked compilations of the installed headers, $failed failed"
[ "$failed" -eq 0 ]
