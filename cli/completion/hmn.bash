# bash completion for hmn (hypomnesis).  Installed as
# share/bash-completion/completions/hmn; or source it from ~/.bashrc.
# shellcheck disable=SC2207  # word-split compgen output: the completion idiom

_hmn_devices()
{
    # Device indexes from the tool itself; nothing when no GPU is visible.
    hmn --json 2>/dev/null | grep -o '"index":[0-9]*' | cut -d: -f2
}

_hmn()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local sub="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            ps | watch | fits | spill | explain | serve | export | run) sub=${words[i]}; break ;;
        esac
    done

    # Everything after `hmn spill ... --` / `hmn run ... --` is the wrapped command's.
    if [[ $sub == spill || $sub == run ]]; then
        for ((i = 2; i < cword; i++)); do
            if [[ ${words[i]} == -- ]]; then
                COMPREPLY=($(compgen -c -- "$cur"))
                return
            fi
        done
    fi

    case $prev in
        --device)
            if [[ $sub == run ]]; then
                COMPREPLY=($(compgen -W "all $(_hmn_devices)" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_hmn_devices)" -- "$cur"))
            fi
            return ;;
        --jsonl | --tsv | --plot)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --json)
            if [[ $sub == run ]]; then # a FILE there, a flag elsewhere
                COMPREPLY=($(compgen -f -- "$cur"))
                return
            fi ;;
        --sort)
            COMPREPLY=($(compgen -W "dedicated vram committed shared total" -- "$cur"))
            return ;;
        --interval | --duration)
            if [[ $sub == spill ]]; then
                COMPREPLY=($(compgen -W "50 100 250 500 1000" -- "$cur"))
            elif [[ $sub == run ]]; then
                COMPREPLY=($(compgen -W "10ms 20ms 50ms 100ms 500ms 1s" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "500ms 1s 5s 30s 1m 10m 1h" -- "$cur"))
            fi
            return ;;
        --min)
            COMPREPLY=($(compgen -W "256MiB 512MiB 1GiB 2GiB 4GiB 8GiB" -- "$cur"))
            return ;;
        --listen)
            COMPREPLY=($(compgen -W "127.0.0.1:9835 :9835 [::1]:9835" -- "$cur"))
            return ;;
        --textfile)
            COMPREPLY=($(compgen -d -- "$cur"))
            return ;;
        --pid | --filter | --top | --max-processes)
            return ;;
    esac

    local opts
    case $sub in
        "") opts="ps watch fits run spill explain serve export --json --help --version" ;;
        ps) opts="--pid --device --sort --min --filter --exit-status --full --json --csv --help" ;;
        watch) opts="--interval --duration --top --follow-new --device --filter --min --json --csv --help" ;;
        fits) opts="--device --help" ;;
        spill) opts="--interval --device --json --help --" ;;
        run) opts="--interval --device --json --jsonl --tsv --plot --quiet --help --" ;;
        explain) opts="--device --json --help" ;;
        serve) opts="--listen --interval --processes --max-processes --help" ;;
        export) opts="--textfile --interval --once --processes --max-processes --help" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _hmn hmn
