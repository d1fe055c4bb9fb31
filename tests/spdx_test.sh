#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file (C++, shell, Python, Lua, CMake) names its licence in an SPDX
# line within its first five lines, and LICENSE holds the Apache-2.0 text.
# Usage: spdx_test.sh <source dir>
set -euo pipefail
cd "$1"
grep -q "Apache License" LICENSE && grep -q "Version 2.0, January 2004" LICENSE
missing=0
while IFS= read -r -d '' f; do
  if ! head -n 5 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0'; then
    echo "no SPDX line: $f"; missing=1
  fi
done < <(find . \( -path ./.git -o -path './build*' -o -path ./fuzz/corpus -o -path ./node_modules \) -prune -o \
           -type f \( -name '*.cc' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.lua' \
           -o -name '*.cmake' -o -name '*.cmake.in' -o -name '*.pc.in' -o -name CMakeLists.txt \) -print0)
exit $missing
