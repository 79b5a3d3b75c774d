#!/bin/sh
# Cross-build libhypomnesis for 64-bit Windows with mingw-w64 and run its
# ctest suite under Wine.
#
#   scripts/test-windows.sh BUILD_DIR [extra cmake -D options...]
#
# Works from a clean clone on Debian 12 with gcc, make and cmake: installs
# mingw-w64, Wine and Xvfb when missing (needs root, non-interactive),
# creates a WINEPREFIX of its own under BUILD_DIR (kept for later runs),
# configures with the mingw-w64 toolchain and -DHMN_WERROR=ON, builds, and
# runs ctest: headless (every test; DXGI fails there and its test checks
# the failure and skips), then under Xvfb for the tests labelled "dxgi"
# (DXGI works under Wine only with a display), then the DXGI test again
# with Wine's adapter reported as AMD and as Intel.  A persistent
# wineserver is started first (without it every test waits ~3 s for Wine's
# helper processes to release the output pipe).  Wine and Xvfb are torn
# down on every exit path.  Exits with ctest's status (pass 1 first).
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [cmake options...]" >&2
    exit 2
fi
BUILD_DIR=$1
shift
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)

need_install=""
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need_install="$need_install gcc-mingw-w64-x86-64"
command -v wine >/dev/null 2>&1 || need_install="$need_install wine wine64"
command -v Xvfb >/dev/null 2>&1 || need_install="$need_install xvfb"
if [ -n "$need_install" ]; then
    echo "test-windows: installing$need_install"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! apt-get install -y $need_install; then
        apt-get update
        # shellcheck disable=SC2086
        apt-get install -y $need_install
    fi
fi

export WINEPREFIX="$BUILD_DIR/wineprefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
XVFB_PID=""

cleanup() {
    # wineserver -k ends every process of this prefix (winedevice.exe ignores SIGTERM).
    wineserver -k >/dev/null 2>&1 || true
    if [ -n "$XVFB_PID" ]; then
        kill "$XVFB_PID" >/dev/null 2>&1 || true
        wait "$XVFB_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A persistent wineserver, its helpers started once with their output
# detached: otherwise every test waits ~3 s for them to close its pipe.
start_wine() {
    wineserver -p >/dev/null 2>&1 </dev/null || true
    wine cmd /c exit >/dev/null 2>&1 </dev/null || true
}

unset DISPLAY
if [ ! -d "$WINEPREFIX" ]; then
    echo "test-windows: creating $WINEPREFIX"
    wineboot -i >/dev/null 2>&1 </dev/null
fi

cmake -S "$SRC_DIR" -B "$BUILD_DIR" \
    -DCMAKE_TOOLCHAIN_FILE="$SRC_DIR/cmake/mingw-w64-x86_64.cmake" \
    -DHMN_WERROR=ON -DHMN_BUILD_BENCH=OFF "$@"
cmake --build "$BUILD_DIR" -j2

# Pass 1, headless: a Windows machine without a usable GPU.  Every test
# runs; the DXGI test checks the CreateDXGIFactory1 failure path and skips.
start_wine
# Tests linked to the shared library find libhypomnesis.dll through PATH.
WINEPATH=$(winepath -w "$BUILD_DIR/src" 2>/dev/null || true)
export WINEPATH
status=0
ctest --test-dir "$BUILD_DIR" --no-tests=error --output-on-failure || status=$?
wineserver -k >/dev/null 2>&1 || true

# Pass 2, with an X display (Xvfb): DXGI works under Wine only there, with
# a synthetic adapter.  The DXGI tests must now run, not skip.
display=90
while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do
    display=$((display + 1))
done
Xvfb ":$display" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 </dev/null &
XVFB_PID=$!
i=0
while [ ! -e "/tmp/.X11-unix/X$display" ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
export DISPLAY=":$display"
export HMN_TEST_REQUIRE_DXGI=1
start_wine
d3d='HKCU\Software\Wine\Direct3D'
# Wine's own adapter profile (a vendor left over from an interrupted pass 3 is removed).
wine reg delete "$d3d" /v VideoPciVendorID /f >/dev/null 2>&1 </dev/null || true
status2=0
ctest --test-dir "$BUILD_DIR" --no-tests=error --output-on-failure -L dxgi || status2=$?
[ "$status" -ne 0 ] || status=$status2

# Pass 3: Wine's adapter reported as AMD, then Intel: the non-NVIDIA DXGI
# paths.  (Wine refuses ids missing from its card table, so the Microsoft
# Basic Render Driver, 0x1414, cannot be simulated.)
# Wine applies a vendor only together with a device id.
for card in 0x1002:0x73bf 0x8086:0x5912; do
    vendor=${card%%:*}
    wine reg add "$d3d" /v VideoPciVendorID /t REG_DWORD /d "$vendor" /f >/dev/null 2>&1 </dev/null
    wine reg add "$d3d" /v VideoPciDeviceID /t REG_DWORD /d "${card#*:}" /f >/dev/null 2>&1 </dev/null
    status3=0
    HMN_TEST_DXGI_VENDOR=$vendor ctest --test-dir "$BUILD_DIR" --no-tests=error \
        --output-on-failure -R '^test_win_dxgi$' || status3=$?
    [ "$status" -ne 0 ] || status=$status3
done
wine reg delete "$d3d" /v VideoPciVendorID /f >/dev/null 2>&1 </dev/null || true
wine reg delete "$d3d" /v VideoPciDeviceID /f >/dev/null 2>&1 </dev/null || true
exit "$status"
