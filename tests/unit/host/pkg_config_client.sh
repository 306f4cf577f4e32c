#!/bin/sh
# Builds a KS client with only the flags `pkg-config MODULE` gives and runs
# it: proves the exported library, headers and .pc file are complete.
# Arguments: pkg-config, directory of the -uninstalled.pc files, client
# source, scratch directory, then optionally the module (default hilcap) and
# a command that runs the client (its path is appended; default: run it).
# Environment: CC compiles the C client; LINK links it (a plain C client
# links with CC; a sanitizer build needs the C++ driver for the sanitizer's
# C++ runtime); SANITIZE holds this build's -fsanitize flags.
set -eu
pkg_config=$1
export PKG_CONFIG_PATH=$2
source=$3
scratch=$4
module=${5:-hilcap}
shift 4
[ $# -gt 0 ] && shift

cflags=$("$pkg_config" --cflags "$module")
libs=$("$pkg_config" --libs "$module")
# Run against the libraries in the build tree, wherever they are.
rpath=$("$pkg_config" --libs-only-L "$module" | sed 's/-L/-Wl,-rpath,/g')
client="$scratch/$(basename "$source" .c)-pkg-config"
# shellcheck disable=SC2086 # commands and flags are lists of words
$CC ${SANITIZE:-} -std=c11 -Wall -Wextra -Werror $cflags -c "$source" -o "$client.o"
# shellcheck disable=SC2086
$LINK ${SANITIZE:-} "$client.o" -o "$client" $libs $rpath
if [ $# -gt 0 ]; then
  "$@" "$client"
else
  "$client"
fi
