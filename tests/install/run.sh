#!/usr/bin/env bash
# run.sh BUILD SOURCE CC [FAKE_NVML NVML_DATA]
#
# Install the built tree into a scratch prefix that is not on the loader's
# path and use it as a user would, with no LD_LIBRARY_PATH and no paths set
# by hand beyond pointing CMake / pkg-config at the prefix:
#   - the installed hmn runs (--version, and a summary from the fake NVML),
#     linked against the shared library and finding it through its RUNPATH;
#   - a consumer builds and runs four ways: find_package (shared, static) and
#     pkg-config --cflags --libs (shared, static);
# then moves the whole prefix elsewhere and does it all again.  Finally a
# second, minimal build with another libdir (lib/<multiarch>) is installed
# and its hmn run, so the RUNPATH follows GNUInstallDirs.
set -euo pipefail
build=$1
source=$2
cc=$3
fake_nvml=${4:-}
nvml_data=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset LD_LIBRARY_PATH LD_PRELOAD PKG_CONFIG_PATH PKG_CONFIG_LIBDIR CMAKE_PREFIX_PATH
checks=0

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { checks=$((checks + 1)); }

# The prefixes below are fresh folders the loader does not search; should a
# libhypomnesis be installed system-wide, check_hmn still proves which copy
# the installed hmn loads.
not_on_loader_path() {
  if [[ $(ldconfig -p 2>/dev/null) == *libhypomnesis.so* ]]; then
    echo "note: a libhypomnesis is in ld.so.cache; the checks below still pin the prefix's copy"
  fi
}

# check_hmn PREFIX LIBDIR: the installed hmn runs and uses PREFIX's library.
check_hmn() {
  local prefix=$1 libdir=$2 out
  local hmn=$prefix/bin/hmn
  local dyn
  dyn=$(readelf -d "$hmn")
  grep -q 'NEEDED.*\[libhypomnesis\.so\.' <<<"$dyn" \
    || fail "$hmn is not linked against the shared libhypomnesis"
  grep -q 'R.*PATH.*\$ORIGIN' <<<"$dyn" || fail "$hmn has no \$ORIGIN RUNPATH"
  out=$("$hmn" --version) || fail "$hmn --version failed: $out"
  [[ $out == "hmn "* ]] || fail "$hmn --version printed [$out]"
  ok
  # The loader resolves libhypomnesis inside this prefix, nowhere else.
  out=$(LD_TRACE_LOADED_OBJECTS=1 "$hmn" | awk '/libhypomnesis/ {print $3}')
  [ -n "$out" ] && [ "$(realpath "$out")" = "$(realpath "$prefix/$libdir/libhypomnesis.so."*.*.*)" ] \
    || fail "hmn loads [$out], not the library of $prefix/$libdir"
  ok
  if [ -n "$fake_nvml" ] && [ -f "$fake_nvml" ]; then
    out=$(HMN_NVML_LIBRARY=$fake_nvml HMN_FAKE_NVML_SCENARIO=$nvml_data/h100-3procs.scn \
          HMN_PROCFS=$nvml_data/proc HMN_NVIDIA_SMI=/nonexistent/nvidia-smi "$hmn") \
      || fail "installed hmn against the fake NVML failed: $out"
    [[ $out == "GPU 0 [NVIDIA H100 80GB HBM3]: free 61212 MiB / 81559 MiB"* ]] \
      || fail "installed hmn printed [$out]"
    ok
  fi
}

# check_consumers PREFIX LIBDIR TAG: find_package and pkg-config, shared and static.
check_consumers() {
  local prefix=$1 libdir=$2 tag=$3 b=$work/consumer-$3 flags out
  cmake -S "$here/consumer" -B "$b" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$b.log" 2>&1 || { cat "$b.log"; fail "find_package configure ($tag)"; }
  cmake --build "$b" >>"$b.log" 2>&1 || { cat "$b.log"; fail "find_package build ($tag)"; }
  "$b/consumer_shared" >/dev/null || fail "find_package shared consumer ($tag)"
  "$b/consumer_static" >/dev/null || fail "find_package static consumer ($tag)"
  [[ $(readelf -d "$b/consumer_static") != *libhypomnesis* ]] || fail "static consumer needs the .so"
  ok

  export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
  flags=$(pkg-config --cflags --libs hypomnesis)
  [[ $flags == *"-I$prefix/"* && $flags == *"-L$prefix/"* ]] \
    || fail "pkg-config gives [$flags] for a prefix at $prefix"
  [[ $flags != *"/usr/local"* ]] || fail "pkg-config still names /usr/local: [$flags]"
  # Shared: what pkg-config says, plus the run-time search path it gives
  # (libdir), as any program linked to a library outside the loader's path needs.
  # shellcheck disable=SC2046
  "$cc" -o "$b/pc_shared" "$here/consumer/consumer.c" $(pkg-config --cflags --libs hypomnesis) \
    -Wl,-rpath,"$(pkg-config --variable=libdir hypomnesis)" || fail "pkg-config shared build"
  "$b/pc_shared" >/dev/null || fail "pkg-config shared consumer ($tag)"
  # Static: the same flags, libhypomnesis taken from its archive.
  # shellcheck disable=SC2046
  "$cc" -o "$b/pc_static" "$here/consumer/consumer.c" $(pkg-config --cflags hypomnesis) \
    $(pkg-config --libs-only-L hypomnesis) -Wl,-Bstatic -lhypomnesis -Wl,-Bdynamic \
    $(pkg-config --static --libs-only-l hypomnesis | sed 's/-lhypomnesis//') \
    || fail "pkg-config static build"
  [[ $(readelf -d "$b/pc_static") != *libhypomnesis* ]] || fail "pkg-config static consumer needs the .so"
  "$b/pc_static" >/dev/null || fail "pkg-config static consumer ($tag)"
  unset PKG_CONFIG_PATH
  ok
}

# check_symbols PREFIX LIBDIR: versioned, exports the public API only.
check_symbols() {
  local lib=$1/$2 bad
  test -f "$lib/libhypomnesis.so.0.3" || fail "no libhypomnesis.so.0.3 in $lib"
  bad=$(nm -D --defined-only "$lib/libhypomnesis.so" | awk '{print $3}' \
        | grep -v -e '^hmn_' -e '^HYPOMNESIS_' -e '^_init$' -e '^_fini$' || true)
  [ -z "$bad" ] || fail "non-API symbols exported: $bad"
  test -f "$1/include/hypomnesis.h" || fail "no header"
  ok
}

libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build/CMakeCache.txt")
[ -n "$libdir" ] || fail "no CMAKE_INSTALL_LIBDIR in $build/CMakeCache.txt"
not_on_loader_path

# 1. Installed where the user said.
prefix=$work/first/opt/hmn
cmake --install "$build" --prefix "$prefix" >/dev/null
check_symbols "$prefix" "$libdir"
check_hmn "$prefix" "$libdir"
check_consumers "$prefix" "$libdir" installed

# 2. The whole prefix moved elsewhere.
moved=$work/elsewhere/moved-hmn
mkdir -p "$(dirname "$moved")"
mv "$prefix" "$moved"
check_hmn "$moved" "$libdir"
check_consumers "$moved" "$libdir" moved

# 3. Another libdir (Debian's multiarch layout): the RUNPATH follows it.
multi=lib/$("$cc" -dumpmachine 2>/dev/null || echo multiarch)
cmake -S "$source" -B "$work/b-multi" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
  -DHMN_BUILD_TESTS=OFF -DHMN_BUILD_BENCH=OFF -DCMAKE_INSTALL_LIBDIR="$multi" \
  >"$work/b-multi.log" 2>&1 || { cat "$work/b-multi.log"; fail "multiarch configure"; }
cmake --build "$work/b-multi" -j2 >>"$work/b-multi.log" 2>&1 \
  || { tail -n 40 "$work/b-multi.log"; fail "multiarch build"; }
cmake --install "$work/b-multi" --prefix "$work/multi/usr" >/dev/null
check_hmn "$work/multi/usr" "$multi"
mv "$work/multi/usr" "$work/multi/usr2"
check_hmn "$work/multi/usr2" "$multi"
check_consumers "$work/multi/usr2" "$multi" multiarch

echo "$checks passed, 0 failed"
