#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cmake --install gives an outside project find_package(nedb) and nedb.pc, and
# installs the nedb command-line tool.
# Usage: install_test.sh <build dir> <work dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix="$2/install-test/prefix"
rm -rf "$2/install-test"
cmake --install "$1" --prefix "$prefix" > /dev/null
cmake -S "$here/install_consumer" -B "$2/install-test/consumer" -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
cmake --build "$2/install-test/consumer" > /dev/null
"$2/install-test/consumer/app" | grep -q '"name":"Alice"'
# One version: the header's kVersion, nedb.pc, the CMake package and the licence.
version=$(grep -m1 -o 'NEDB_VERSION_STRING "[^"]*"' "$prefix/include/nedb/version.h" | cut -d'"' -f2)
[ -n "$version" ]
"$2/install-test/consumer/app" | grep -q " version=$version\$"
[ "$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion nedb)" = "$version" ]
grep -q "PACKAGE_VERSION \"$version\"" "$prefix/lib/cmake/nedb/nedbConfigVersion.cmake"
[ "$("$prefix/bin/nedb" --version)" = "nedb $version" ]  # the command-line tool
grep -q 'nedb_LICENSE "Apache-2.0"' "$prefix/lib/cmake/nedb/nedbConfig.cmake"
grep -q 'License: Apache-2.0' "$prefix/lib/pkgconfig/nedb.pc"
g++ -std=c++20 "$here/install_consumer/main.cc" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs --static nedb) \
  -o "$2/install-test/app-pc"
"$2/install-test/app-pc" | grep -q '"name":"Alice"'
rm -rf "$2/install-test"
echo "install test ok"
