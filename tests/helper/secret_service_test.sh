#!/usr/bin/env bash
# The Secret Service store against a real gnome-keyring-daemon in a private D-Bus session:
# login stores, get reads (after the cached access token is dropped), list, logout erases.
#   secret_service_test.sh HELPER_DIR EMULATOR SEED
# Exit 77 (ctest "skipped") with "SKIP: why" when a tool is missing.
set -euo pipefail

if [ "${1:-}" != "--in-session" ]; then
  helper_dir=$1 emulator=$2 seed=$3
  for tool in dbus-run-session gnome-keyring-daemon secret-tool curl; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
  done
  work=$(mktemp -d /tmp/squadcast-ss-test-XXXXXX)
  trap 'exec 3>&-; wait; rm -rf "$work"' EXIT
  mkfifo "$work/emulator-stdin"
  "$emulator" --seed "$seed" --state-dir "$work/emulator" --exit-on-stdin-eof \
    <"$work/emulator-stdin" >"$work/emulator.log" 2>&1 &
  exec 3>"$work/emulator-stdin"  # the emulator exits when this script closes it
  for _ in $(seq 100); do [ -s "$work/emulator/url" ] && break; sleep 0.1; done
  [ -s "$work/emulator/url" ] || { echo "FAIL: the emulator did not start"; cat "$work/emulator.log"; exit 1; }
  export SQUADCAST_EMULATOR_URL
  SQUADCAST_EMULATOR_URL=$(cat "$work/emulator/url")
  mkdir -p "$work/runtime" && chmod 700 "$work/runtime"
  status=0
  env -i SQUADCAST_EMULATOR_URL="$SQUADCAST_EMULATOR_URL" PATH="$helper_dir:/usr/bin:/bin" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
    XDG_CACHE_HOME="$work/home/.cache" XDG_DATA_HOME="$work/home/.local/share" XDG_RUNTIME_DIR="$work/runtime" \
    SQUADCAST_AUTH_URL="$SQUADCAST_EMULATOR_URL" SQUADCAST_API_URL="$SQUADCAST_EMULATOR_URL" \
    SQUADCAST_CA_FILE="$work/emulator/ca.pem" WORK="$work" LC_ALL=C \
    dbus-run-session -- bash "$0" --in-session || status=$?
  exit $status
fi

# --- inside the private session ---
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
control() { curl -sf --cacert "$WORK/emulator/ca.pem" "$SQUADCAST_EMULATOR_URL/_control/$1"; }
host=${SQUADCAST_EMULATOR_URL#https://}

# An empty password creates no login keyring on Debian 12's gnome-keyring: use a dummy one.
eval "$(printf 'squadcast-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

token=$(control "token?token_id=tok-admin" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "FAIL: no seeded token from the emulator"; exit 1; }
no_token_in() { ! grep -qF "$token" "$1" && ! grep -q 'eyJ' "$1"; }

squadcast-credential login --stdin <<<"$token" >"$WORK/login.out" 2>"$WORK/login.err"
check "login succeeds with the auto backend" grep -q 'alice@acme.test' "$WORK/login.out"
check "login said it used the Secret Service" grep -q 'secretservice (auto' "$WORK/login.out"
check "no token on stderr (login)" no_token_in "$WORK/login.err"

items=$(secret-tool search --all xdg:schema com.squadcast.RefreshToken 2>&1 || true)
check "the item has the profile attribute" grep -q 'attribute.profile = default' <<<"$items"
check "the item has the auth_url attribute" grep -qF "attribute.auth_url = $SQUADCAST_EMULATOR_URL" <<<"$items"
check "the item has the email attribute" grep -q 'attribute.email = alice@acme.test' <<<"$items"
check "the item has the label" grep -q 'label = Squadcast refresh token (default)' <<<"$items"
check "the item holds the refresh token" grep -qF "secret = $token" <<<"$items"
check "nothing was written to the file store" test ! -e "$XDG_CONFIG_HOME/squadcast/credentials"

squadcast-credential status --json >"$WORK/status.json" 2>"$WORK/status.err"
check "status names the Secret Service store" grep -q '"store": "secretservice' "$WORK/status.json"

# Drop the cached access token so that the next get must read the refresh token from the keyring.
printf 'protocol=https\nhost=%s\n\n' "$host" | git-credential-squadcast erase
printf 'protocol=https\nhost=%s\n\n' "$host" | git-credential-squadcast get >"$WORK/get.out" 2>"$WORK/get.err"
check "get exchanges the refresh token read from the keyring" grep -q '^username=alice@acme.test$' "$WORK/get.out"
check "no token on stderr (get)" no_token_in "$WORK/get.err"

docker-credential-squadcast list </dev/null >"$WORK/list.out" 2>&1
check "docker list shows the server and the email" grep -qF "{\"$host\":\"alice@acme.test\"}" "$WORK/list.out"

# exec reads the refresh token from the keyring for the command's environment.
squadcast-credential exec -- sh -c 'printf "%s\n" "$SQUADCAST_REFRESH_TOKEN" "$SQUADCASTSDK_BEARER_AUTH"' \
  >"$WORK/exec.out" 2>"$WORK/exec.err"
check "exec hands the keyring's refresh token to the command" test "$(sed -n 1p "$WORK/exec.out")" = "$token"
check "exec hands an access token to the command" grep -q '^eyJ' "$WORK/exec.out"
check "no token on stderr (exec)" no_token_in "$WORK/exec.err"

squadcast-credential --backend secretservice token >"$WORK/token.out" 2>"$WORK/token.err"
check "an explicit secretservice backend works" test -s "$WORK/token.out"

squadcast-credential logout >"$WORK/logout.out" 2>"$WORK/logout.err"
items=$(secret-tool search --all xdg:schema com.squadcast.RefreshToken 2>&1 || true)
check "logout erased the keyring item" test -z "$(grep 'attribute.profile' <<<"$items" || true)"
rc=0; squadcast-credential token >/dev/null 2>"$WORK/after.err" || rc=$?
check "token after logout exits 1 (not logged in)" test "$rc" = 1

# A token kept in the file earlier (say, from an SSH session with no desktop) is still
# found by `auto` when the keyring holds none; logout forgets it too.
squadcast-credential --backend file login --stdin <<<"$token" >/dev/null 2>&1
check "a file-store login works beside the keyring" test -s "$XDG_CONFIG_HOME/squadcast/credentials"
rm -rf "$XDG_CACHE_HOME/squadcast"
rc=0; squadcast-credential token >"$WORK/fallback.out" 2>"$WORK/fallback.err" || rc=$?
check "auto falls back to the file store when the keyring holds nothing" test "$rc" = 0 -a -s "$WORK/fallback.out"
squadcast-credential logout >/dev/null 2>&1
rc=0; squadcast-credential --backend file token >/dev/null 2>&1 || rc=$?
check "logout with auto forgets the file-store token too" test "$rc" = 1

echo "$failures failure(s)"
[ "$failures" = 0 ]
