#!/usr/bin/env bash
# Install the built tree into a scratch prefix and build a consumer against
# it four ways: find_package (shared, static) and pkg-config (shared, static).
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/consumer" -B "$work/b" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/b" >/dev/null
LD_LIBRARY_PATH="$work/prefix/lib" "$work/b/consumer_shared"
"$work/b/consumer_static"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
cc -o "$work/pc_shared" "$src/consumer/consumer.c" $(pkg-config --define-variable=prefix="$work/prefix" --cflags --libs hypomnesis)
LD_LIBRARY_PATH="$work/prefix/lib" "$work/pc_shared"
cc -static-libgcc -o "$work/pc_static" "$src/consumer/consumer.c" $(pkg-config --define-variable=prefix="$work/prefix" --cflags hypomnesis) \
   "$work/prefix/lib/libhypomnesis.a" $(pkg-config --libs-only-l --static hypomnesis | sed 's/-lhypomnesis//')
"$work/pc_static"
# The shared library is versioned and exports the public API only.
ls "$work/prefix/lib"/libhypomnesis.so.0.3 >/dev/null
bad=$(nm -D --defined-only "$work/prefix/lib/libhypomnesis.so" | awk '{print $3}' \
      | grep -v -e '^hmn_' -e '^HYPOMNESIS_' -e '^_init$' -e '^_fini$' || true)
if [ -n "$bad" ]; then
  echo "non-API symbols exported:" >&2
  echo "$bad" >&2
  exit 1
fi
test -f "$work/prefix/include/hypomnesis.h"
echo "1 passed, 0 failed"
