#!/usr/bin/env bash
# Installs the annals build in BUILD_DIR to a temporary prefix, builds the consumer project
# (tests/consumer) against it with find_package(annals), runs it, and checks the installed
# files (binary, headers, man page, completions).  Run by CTest as "consumer_project".
#   usage: run.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in bin/annals include/annals/store.h include/annals/timeline.h \
         share/man/man1/annals.1 share/bash-completion/completions/annals \
         share/zsh/site-functions/_annals lib/cmake/annals/annalsConfig.cmake; do
  if [ ! -e "$prefix/$f" ]; then echo "not installed: $f" >&2; exit 1; fi
done
if ! ls "$prefix"/lib*/libannals.a >/dev/null 2>&1; then echo "not installed: libannals.a" >&2; exit 1; fi
"$prefix/bin/annals" --version

cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_BUILD_TYPE=Release >"$work/configure.log"
cmake --build "$work/build" -j2 >"$work/build.log"
"$work/build/consumer" "$work/store"
echo "consumer project: ok"
