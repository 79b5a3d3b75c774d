try() {
    "$HMN" spill "$@"
    echo "spill $* -> $?"
}
try
try --interval 0 -- true
try --interval x -- true
try --device -- true
try --json
