# Everything after the command is the command's, hyphens included.
"$HMN" spill -- sh -c "echo \$0 \$1" --json --help
