# Shared set-up for the hygiene tests: a private emulator, a sandboxed HOME logged in with
# the file store, and the seeded tokens in 0600 files (never in argv).
# Expects: $helper $emulator $seed. Defines: $work $url $ca token_file ID, control, cleanup.
set -euo pipefail
work=$(mktemp -d /tmp/squadcast-hygiene-XXXXXX)
chmod 755 "$work"   # other users (nobody) may need to traverse it
mkfifo "$work/emulator-stdin"
"$emulator" --seed "$seed" --state-dir "$work/emulator" --exit-on-stdin-eof \
  <"$work/emulator-stdin" >/dev/null 2>"$work/emulator.log" &
emulator_pid=$!
exec 8>"$work/emulator-stdin"
cleanup() {
  exec 8>&- || true
  kill "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 200); do [ -s "$work/emulator/url" ] && break; sleep 0.05; done
url=$(cat "$work/emulator/url") ca=$work/emulator/ca.pem
control() { curl -sf --cacert "$ca" "$@"; }
token_file() {  # ID -> path of a 0600 file holding that seeded token
  local f="$work/token-$1"
  (umask 077; control "$url/_control/token?token_id=$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$f")
  echo "$f"
}
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_CACHE_HOME=$work/home/.cache
mkdir -p -m 700 "$HOME"
export SQUADCAST_AUTH_URL=$url SQUADCAST_API_URL=$url SQUADCAST_CA_FILE=$ca SQUADCAST_CREDENTIAL_BACKEND=file
printf 'protocol=https\nhost=%s\n\n' "${url#https://}" >"$work/git-request"
fail() { echo "FAIL: $*" >&2; exit 1; }
