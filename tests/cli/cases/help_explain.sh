"$HMN" explain --help
"$HMN" help explain >/dev/null && echo "help explain -> same text"
