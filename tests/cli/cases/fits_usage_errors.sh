try() {
    "$HMN" fits "$@"
    echo "fits $* -> $?"
}
try
try "12 parsecs"
try 1GiB 2GiB
try --device x 1GiB
try -5
