#!/bin/sh
# Builds the KS demo client with only the flags `pkg-config hilcap` gives and
# runs it: proves the exported library, headers and .pc file are complete.
# Arguments: pkg-config, directory of hilcap-uninstalled.pc, client source,
# scratch directory, then the C compiler command (and extra flags).
set -eu
pkg_config=$1
export PKG_CONFIG_PATH=$2
source=$3
scratch=$4
shift 4

flags=$("$pkg_config" --cflags --libs hilcap)
# Run against the library in the build tree, wherever it is.
rpath=$("$pkg_config" --libs-only-L hilcap | sed 's/-L/-Wl,-rpath,/g')
client="$scratch/ks-client-pkg-config"
# shellcheck disable=SC2086 # the flags are a list of words
"$@" -std=c11 -Wall -Wextra -Werror "$source" -o "$client" $flags $rpath
"$client"
