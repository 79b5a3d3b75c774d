# Usage errors of hmn serve and hmn export: clap-style messages, exit 2, before any sampling.
"$HMN" serve --listen localhost
echo "exit $?"
"$HMN" serve --listen 10.0.0.1:99999
echo "exit $?"
"$HMN" serve --listen [::1:9835
echo "exit $?"
"$HMN" serve --interval 50ms
echo "exit $?"
"$HMN" serve --max-processes 10
echo "exit $?"
"$HMN" serve --processes --max-processes 100001
echo "exit $?"
"$HMN" export --once
echo "exit $?"
"$HMN" export --textfile "$WORK" --once --interval 5s
echo "exit $?"
"$HMN" export --textfile "$WORK/missing" --once
echo "exit $?"
