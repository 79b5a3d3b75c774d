# No GPU source at all: the upstream line on stdout, what was tried on stderr.
"$HMN"
