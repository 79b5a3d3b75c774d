# The bash completion script: subcommands, per-command options, option values.
# shellcheck disable=SC1091
. "$SRC/cli/completion/hmn.bash"
complete_line() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _hmn
    echo "$* -> ${COMPREPLY[*]}"
}
complete_line hmn ""
complete_line hmn ps --s
complete_line hmn ps --sort ""
complete_line hmn watch --
complete_line hmn watch --interval 1
complete_line hmn spill --interval ""
complete_line hmn fits --
complete_line hmn explain --
complete_line hmn ps --f
complete_line hmn serve --
complete_line hmn serve --listen ""
complete_line hmn export --
complete_line hmn export --interval 3
complete_line hmn run --
complete_line hmn run --interval ""
complete_line hmn run --device ""
complete_line hmn run -- ./a.out --j
