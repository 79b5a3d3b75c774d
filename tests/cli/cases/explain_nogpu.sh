"$HMN" explain
echo "text -> $?"
"$HMN" explain --json
echo "json -> $?"
