#!/bin/sh
# fetch-nvidia-nonfree.sh DEST - fetch Debian non-free's real NVML library,
# nvidia-smi and nvml.h for the tests, without touching the system's apt
# configuration.
#
# The mirrors come from the system's own apt sources (deb822 *.sources files
# and/or sources.list); a private sources list with the components
# "main contrib non-free non-free-firmware" is written under DEST/.apt and used
# through apt-get -o options, so nothing under /etc changes and nothing is
# installed: the packages are downloaded and unpacked with dpkg -x.
#
# Leaves:
#   DEST/include/nvml.h                 (libnvidia-ml-dev)
#   DEST/lib/libnvidia-ml.so.1 -> libnvidia-ml.so.<version>   (libnvidia-ml1)
#   DEST/bin/nvidia-smi                 (nvidia-smi)
# Idempotent (does nothing when DEST is complete); quiet on success; exits
# non-zero with a message on failure.  Debian/Ubuntu-style systems only.
set -eu

PKGS="libnvidia-ml1 nvidia-smi libnvidia-ml-dev"
COMPONENTS="main contrib non-free non-free-firmware"

die() {
    echo "fetch-nvidia-nonfree: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: $0 DEST"
DEST=$1

dest_complete() {
    [ -s "$DEST/include/nvml.h" ] && [ -e "$DEST/lib/libnvidia-ml.so.1" ] &&
        [ -x "$DEST/bin/nvidia-smi" ]
}
if dest_complete; then
    exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found (a Debian-based system is needed)"
command -v dpkg >/dev/null 2>&1 || die "dpkg not found"

mkdir -p "$DEST" || die "cannot create $DEST"
DEST=$(cd "$DEST" && pwd)
APT="$DEST/.apt"
rm -rf "$APT"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs" "$APT/root" ||
    die "cannot create $APT"
LOG="$APT/log"
: >"$LOG"

# One "deb [signed-by=...] URI SUITE" line per source of the system, plus our components.
sources_from_deb822() {
    awk -v comps="$COMPONENTS" '
        function flush() {
            if (types ~ /(^|[ \t])deb([ \t]|$)/ && uris != "" && suites != "") {
                n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
                for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
                    if (u[i] == "" || s[j] == "" || u[i] ~ /^cdrom:/) continue
                    opt = signed != "" ? "[signed-by=" signed "] " : ""
                    print "deb " opt u[i] " " s[j] " " comps
                }
            }
            types = uris = suites = signed = ""
        }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]*#/ { next }
        tolower($1) == "types:"     { sub(/^[^:]*:[ \t]*/, ""); types = $0; next }
        tolower($1) == "uris:"      { sub(/^[^:]*:[ \t]*/, ""); uris = $0; next }
        tolower($1) == "suites:"    { sub(/^[^:]*:[ \t]*/, ""); suites = $0; next }
        tolower($1) == "signed-by:" { sub(/^[^:]*:[ \t]*/, ""); signed = $0; next }
        END { flush() }
    ' "$@"
}

sources_from_list() {
    # deb [options] URI SUITE COMPONENTS...: keep the options, replace the components.
    awk -v comps="$COMPONENTS" '
        $1 == "deb" {
            i = 2; opt = ""
            if ($2 ~ /^\[/) {
                while (i <= NF) { opt = opt (opt == "" ? "" : " ") $i; if ($i ~ /\]$/) { i++; break } i++ }
                opt = opt " "
            }
            if (i + 1 <= NF && $i !~ /^cdrom:/) print "deb " opt $i " " $(i + 1) " " comps
        }
    ' "$1"
}

LIST="$APT/sources.list"
: >"$LIST"
for f in /etc/apt/sources.list.d/*.sources; do
    if [ -r "$f" ]; then sources_from_deb822 "$f" >>"$LIST"; fi
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    if [ -r "$f" ]; then sources_from_list "$f" >>"$LIST"; fi
done
[ -s "$LIST" ] || die "no 'deb' source found in the system's apt configuration"

# Private state: lists, cache and sources all under $APT; the system's stay as they are.
set -- -q -o "Dir::Etc::sourcelist=$LIST" -o Dir::Etc::sourceparts=/dev/null \
    -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" \
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root

fail_with_log() {
    cat "$LOG" >&2
    die "$1 (log above; sources used: $LIST)"
}

apt-get "$@" update >>"$LOG" 2>&1 || fail_with_log "apt-get update failed"
# shellcheck disable=SC2086 # PKGS is a list of names
(cd "$APT/debs" && apt-get "$@" download $PKGS) >>"$LOG" 2>&1 ||
    fail_with_log "apt-get download $PKGS failed"
for deb in "$APT"/debs/*.deb; do
    [ -e "$deb" ] || fail_with_log "no package was downloaded"
    dpkg -x "$deb" "$APT/root" >>"$LOG" 2>&1 || fail_with_log "dpkg -x $deb failed"
done

# Find the pieces wherever the packages put them (the paths differ between releases).
find_one() {
    find "$APT/root" \( -type f -o -type l \) -name "$1" 2>/dev/null | sort | head -n 1
}
HDR=$(find_one nvml.h)
LIB=$(find "$APT/root" -type f -name 'libnvidia-ml.so.[0-9]*.*' 2>/dev/null | sort | head -n 1)
SMI=$(find "$APT/root" -type f -name nvidia-smi -perm -u+x 2>/dev/null | sort | head -n 1)
[ -n "$HDR" ] || fail_with_log "nvml.h not found in libnvidia-ml-dev"
[ -n "$LIB" ] || fail_with_log "libnvidia-ml.so.<version> not found in libnvidia-ml1"
[ -n "$SMI" ] || fail_with_log "the nvidia-smi program not found in the nvidia-smi package"

mkdir -p "$DEST/include" "$DEST/lib" "$DEST/bin"
cp "$HDR" "$DEST/include/nvml.h"
cp "$LIB" "$DEST/lib/"
ln -sf "$(basename "$LIB")" "$DEST/lib/libnvidia-ml.so.1"
cp "$SMI" "$DEST/bin/nvidia-smi"
chmod 755 "$DEST/bin/nvidia-smi"
dest_complete || die "files missing under $DEST after unpacking"
rm -rf "$APT"
exit 0
