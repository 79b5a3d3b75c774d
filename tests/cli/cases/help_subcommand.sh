"$HMN" help
echo "help -> $?"
"$HMN" help fits
echo "help fits -> $?"
"$HMN" help bogus
echo "help bogus -> $?"
"$HMN" --json bogus
echo "--json bogus -> $?"
