# Killed by a signal: exit 1, as upstream.
"$HMN" spill -- sh -c "kill -TERM \$\$"
