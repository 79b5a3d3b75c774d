# The child inherits stdio; its exit code is passed through.
"$HMN" spill -- sh -c "echo child-out; echo child-err >&2; exit 3"
