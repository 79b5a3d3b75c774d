# Every clap-style usage error exits 2 with the message on stderr.
try() {
    "$HMN" ps "$@"
    echo "ps $* -> $?"
}
try --sort bogus
try --pid x
try --pid -1
try --device
try --device 1 --device 2
try --min "12 parsecs"
try --min lots
try --filter "  "
try --json --csv
try --bogus
try extra
try --json=1
try --sort=shared --exit-status --device=x
