# Every option a command's --help lists is documented in the man page and
# docs/cli.md, and offered by the bash completion.
for sub in ps watch fits spill explain serve export; do
    for opt in $("$HMN" "$sub" --help | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]*' |
                 grep -v -- --help | sort -u); do
        grep -q -- "${opt//-/\\\\-}" "$SRC/docs/hmn.1" || echo "$sub $opt: missing from docs/hmn.1"
        grep -q -- "$opt" "$SRC/docs/cli.md" || echo "$sub $opt: missing from docs/cli.md"
        grep -q -- "$opt" "$SRC/cli/completion/hmn.bash" || echo "$sub $opt: missing from completion"
    done
done
if command -v groff >/dev/null 2>&1; then
    groff -man -ww -z "$SRC/docs/hmn.1" && echo "man page: no groff warnings"
else
    echo "man page: no groff warnings"
fi
