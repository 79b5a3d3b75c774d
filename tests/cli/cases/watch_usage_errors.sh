# Explicit PIDs exclude the auto-selection flags; checked before any hardware call.
try() {
    "$HMN" watch "$@"
    echo "watch $* -> $?"
}
try 1 --follow-new
try 1 --filter py
try 1 --min 1GiB
try --interval 0
try --interval 5x
try --interval s
try --duration 1.5s
try --top many
try abc
try --json --csv
try --filter " "
