#!/usr/bin/env bash
# Build and run every test of libhypomnesis / hmn on a fresh Debian 12 machine.
#
#   bash scripts/test.sh            # everything (what CI runs)
#   HMN_STAGES="main asan" bash scripts/test.sh   # a subset
#
# Stages: deps main off asan tsan valgrind fuzz windows.  Each stage builds in
# its own folder under build-test/ and runs ctest with --no-tests=error, so a
# stage that runs no test fails.  Installs what it needs itself (as root, with
# apt-get); the real NVIDIA files come from Debian non-free through a private
# apt configuration (scripts/fetch-nvidia-nonfree.sh), the system's apt
# sources are never changed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${HMN_TEST_DIR:-$root/build-test}
stages=${HMN_STAGES:-deps main off asan tsan valgrind fuzz windows}
jobs=${HMN_JOBS:-$(nproc 2>/dev/null || echo 2)}
failed=()
mkdir -p "$out"

log() { printf '\n=== %s ===\n' "$*"; }
want() { [[ " $stages " == *" $1 "* ]]; }

# ---------------------------------------------------------------- packages
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
    return 1
  fi
  if [ -z "${HMN_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export HMN_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

stage_deps() {
  log "deps"
  # prometheus (promtool) and prometheus-node-exporter: the exporter's lint and
  # real-Prometheus tests; libmicrohttpd-dev: `hmn serve` (main stage requires it).
  local pkgs=(python3 python3-psutil pkg-config g++ binutils libmicrohttpd-dev prometheus
              prometheus-node-exporter)
  want main && pkgs+=(chromium) # the --plot chart's screenshot test
  # The Python package: its install test (venv + pip, offline) and its type check.
  pkgs+=(python3-venv python3-pip python3-setuptools python3-wheel mypy)
  want asan && pkgs+=(clang libclang-rt-14-dev)
  want fuzz && pkgs+=(clang libclang-rt-14-dev)
  want tsan && pkgs+=(clang libclang-rt-14-dev)
  want valgrind && pkgs+=(valgrind)
  apt_install "${pkgs[@]}"
  nonfree="$out/nvidia-nonfree"
  if bash "$root/scripts/fetch-nvidia-nonfree.sh" "$nonfree"; then
    export HMN_NONFREE_ARGS="-DHMN_NVIDIA_NONFREE_DIR=$nonfree"
  else
    echo "fetching Debian non-free NVIDIA files failed" >&2
    return 1
  fi
}

# ---------------------------------------------------------------- builds
# build_and_test NAME [cmake args...]: configure, build, ctest.
build_and_test() {
  local name=$1; shift
  local dir="$out/$name"
  log "$name: configure + build"
  cmake -S "$root" -B "$dir" -DHMN_WERROR=ON ${HMN_NONFREE_ARGS:-} "$@" >"$dir.configure.log" 2>&1 \
    || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1 || { tail -n 60 "$dir.build.log"; return 1; }
  log "$name: ctest"
  (cd "$dir" && ctest --no-tests=error --output-on-failure -j"$jobs" ${HMN_CTEST_ARGS:-})
}

stage_main() { build_and_test main -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHMN_WITH_HTTP=ON; }

# Every backend compiled out: RSS-only library, GPU queries say "no source";
# and no libmicrohttpd: `hmn serve` says what to install, `hmn export` works.
stage_off() {
  build_and_test off -DHMN_WITH_NVML=OFF -DHMN_WITH_NVIDIA_SMI=OFF -DHMN_WITH_DRM=OFF \
    -DHMN_WITH_DXGI=OFF -DHMN_WITH_PDH=OFF -DHMN_WITH_HTTP=OFF
}

stage_asan() {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build_and_test asan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug "-DHMN_SANITIZE=address;undefined"
}

stage_tsan() {
  TSAN_OPTIONS=halt_on_error=1 HMN_CTEST_ARGS="-L concurrency" \
    build_and_test tsan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug -DHMN_SANITIZE=thread
}

stage_valgrind() {
  [ -x "$root/tests/reliability/valgrind.sh" ] || { echo "no valgrind script"; return 1; }
  log "valgrind"
  bash "$root/tests/reliability/valgrind.sh" "$out/main"
}

stage_fuzz() {
  [ -x "$root/scripts/fuzz-ci.sh" ] || { echo "no fuzz script"; return 1; }
  log "fuzz (bounded)"
  bash "$root/scripts/fuzz-ci.sh" "$out/fuzz"
}

stage_windows() {
  [ -f "$root/scripts/test-windows.sh" ] || { echo "no windows script"; return 1; }
  log "windows (mingw-w64 + wine)"
  bash "$root/scripts/test-windows.sh" "$out/windows"
}

for s in deps main off asan tsan valgrind fuzz windows; do
  want "$s" || continue
  if ! "stage_$s"; then
    failed+=("$s")
    [ "$s" = deps ] && break
  fi
done

log "summary"
if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED stages: ${failed[*]}"
  exit 1
fi
echo "all stages passed: $stages"
