#!/bin/sh
# Builds the KS demo client with only the flags `pkg-config hilcap` gives and
# runs it: proves the exported library, headers and .pc file are complete.
# Arguments: pkg-config, directory of hilcap-uninstalled.pc, client source,
# scratch directory. Environment: CC compiles the C client; LINK links it (a
# plain C client links with CC; a sanitizer build needs the C++ driver for the
# sanitizer's C++ runtime); SANITIZE holds this build's -fsanitize flags.
set -eu
pkg_config=$1
export PKG_CONFIG_PATH=$2
source=$3
scratch=$4

cflags=$("$pkg_config" --cflags hilcap)
libs=$("$pkg_config" --libs hilcap)
# Run against the library in the build tree, wherever it is.
rpath=$("$pkg_config" --libs-only-L hilcap | sed 's/-L/-Wl,-rpath,/g')
client="$scratch/ks-client-pkg-config"
# shellcheck disable=SC2086 # commands and flags are lists of words
$CC ${SANITIZE:-} -std=c11 -Wall -Wextra -Werror $cflags -c "$source" -o "$client.o"
# shellcheck disable=SC2086
$LINK ${SANITIZE:-} "$client.o" -o "$client" $libs $rpath
"$client"
