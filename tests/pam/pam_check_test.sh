#!/usr/bin/env bash
# squadcast-pam-check as an administrator runs it (root): each check made to fail on
# purpose, asserting the row and its fix; --user decisions through the real module
# against the emulator (local users from nss_wrapper); --service stack analysis on
# scratch pam.d directories; --enroll and --enroll --check (directory mode's host
# credential) and directory-mode decisions. No token may appear in any output.
# Usage: pam_check_test.sh PAM_CHECK MODULE EMULATOR SEED NSS_WRAPPER_LIB
if [ -n "${SQUADCAST_SANITIZED:-}" ]; then echo "SKIP: sanitizer build: the system libpam cannot load an ASan module"; exit 77; fi
set -euo pipefail
check=$1 module=$2 emulator=$3 seed=$4 nss_wrapper=$5
[ "$(id -u)" = 0 ] || { echo "SKIP: squadcast-pam-check is root only (the module's files are root's)"; exit 77; }

work=$(mktemp -d /tmp/squadcast-pam-check-test-XXXXXX)
cleanup() {
  exec 9>&- || true
  [ -n "${emu_pid:-}" ] && kill "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

mkfifo "$work/stdin"
"$emulator" --seed "$seed" --state-dir "$work/emu" --exit-on-stdin-eof <"$work/stdin" >"$work/emu.log" 2>&1 &
emu_pid=$!
exec 9>"$work/stdin"
for _ in $(seq 100); do [ -s "$work/emu/url" ] && break; sleep 0.1; done
url=$(cat "$work/emu/url") ca=$work/emu/ca.pem
token_file() {  # ID -> a 0600 file holding that seeded token (never in argv)
  (umask 077; curl -sf --cacert "$ca" "$url/_control/token?token_id=$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$work/token-$1")
  echo "$work/token-$1"
}
admin=$(token_file tok-admin) user=$(token_file tok-user)

printf 'alice:x:20001:20001::/nonexistent:/bin/sh\nbob:x:20002:20002::/nonexistent:/bin/sh\n' >"$work/passwd"
printf 'alice:x:20001:\nbob:x:20002:\n' >"$work/group"
export LD_PRELOAD=$nss_wrapper NSS_WRAPPER_PASSWD=$work/passwd NSS_WRAPPER_GROUP=$work/group

org=5e8edb1f7e6f7d0001a1c0de
opts=(org_id=$org min_role=admin "auth_url=$url" "api_url=$url" "ca_file=$ca" "cache_dir=$work/real-cache")

# run NAME STDIN ARGS... : JSON into $work/out, exit status into $rc; no token anywhere.
run() {
  local name=$1 input=$2; shift 2
  rc=0
  "$check" --json "$@" <"$input" >"$work/out" 2>"$work/err" || rc=$?
  for t in "$work"/token-*; do
    grep -qF -f "$t" "$work/out" "$work/err" && fail "$name: a refresh token reached the output"
  done
  grep -q 'eyJ' "$work/out" "$work/err" && fail "$name: an access token reached the output"
  return 0
}
# row NAME FIELD: a field (status, detail, fix) of the first row whose name starts with NAME.
row() {
  python3 - "$work/out" "$1" "$2" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for check in report["checks"]:
    if check["name"].startswith(sys.argv[2]):
        print(check[sys.argv[3]]); break
else:
    print("NO-ROW")
PY
}
expect() {  # NAME FIELD PATTERN
  local got; got=$(row "$1" "$2")
  grep -qE -- "$3" <<<"$got" || { cat "$work/out" "$work/err"; fail "$1.$2 is '$got', expected /$3/"; }
}

# A healthy configuration: every check passes.
run healthy /dev/null "${opts[@]}"
[ "$rc" = 0 ] || { cat "$work/out"; fail "healthy options: exit $rc"; }
expect options status '^ok$'
expect "tls 127.0.0.1" status '^ok$'
expect clock status '^ok$'
echo "ok: healthy options pass"

# A bad option is named, with the module's own parser's words.
run "bad option" /dev/null "${opts[@]}" timeout=forever
[ "$rc" = 1 ] || fail "bad option: exit $rc"
expect options status '^fail$'
expect options detail 'timeout=forever'
echo "ok: a bad option fails and is named"

# A config= file others can write: the module refuses it, the fix says chown/chmod.
printf 'org_id = %s\nmin_role = admin\nauth_url = %s\napi_url = %s\nca_file = %s\ncache_dir = %s\n' \
  "$org" "$url" "$url" "$ca" "$work/real-cache" >"$work/squadcast.conf"
chmod 666 "$work/squadcast.conf"
run "loose config" /dev/null --config "$work/squadcast.conf"
[ "$rc" = 1 ] || fail "loose config: exit $rc"
expect "config file" status '^fail$'
expect "config file" fix "chmod 644 $work/squadcast.conf"
expect options status '^fail$'
run "missing config" /dev/null --config "$work/nowhere.conf"
expect "config file" status '^fail$'
expect "config file" fix "create $work/nowhere.conf"
chmod 644 "$work/squadcast.conf"
run "good config" /dev/null --config "$work/squadcast.conf"
[ "$rc" = 0 ] || { cat "$work/out"; fail "good config: exit $rc"; }
echo "ok: config= files are held to the module's rules"

# A cache_dir others can enter.
mkdir -m 755 "$work/open-cache"
run "open cache" /dev/null org_id=$org "auth_url=$url" "api_url=$url" "ca_file=$ca" "cache_dir=$work/open-cache"
expect "cache dir" status '^fail$'
expect "cache dir" fix "chmod 700 $work/open-cache"
# The wrong CA.
run "wrong CA" /dev/null org_id=$org "auth_url=$url" "api_url=$url" "ca_file=$work/emu/other-ca.pem"
expect "tls 127.0.0.1" status '^fail$'
expect "tls 127.0.0.1" detail 'other-ca.pem'
echo "ok: cache dir and CA file checks fail with their fixes"

# Decisions through the real module: alice (admin) is allowed, bob (user role) refused.
run "allow" "$admin" "${opts[@]}" --user alice --module "$module"
[ "$rc" = 0 ] || { cat "$work/out" "$work/err"; fail "allow: exit $rc"; }
expect "auth decision" status '^ok$'
expect "auth decision" detail '^PAM_SUCCESS; log: .*auth: user=alice email=alice@acme.test role=admin decision=allow'
expect "account decision" detail '^PAM_SUCCESS; log: .*account: user=alice .*decision=allow source=auth'
[ ! -e "$work/real-cache" ] || fail "the decision wrote to the real cache_dir"
run "deny" "$user" "${opts[@]}" --user bob --module "$module"
expect "auth decision" status '^warn$'
expect "auth decision" detail '^PAM_PERM_DENIED|^PAM_AUTH_ERR'
expect "auth decision" detail 'decision=deny .*reason=.*(role|admin)'
expect "auth decision" detail 'account not run'   # the auth refusal is the reason, not the account phase's
expect "account decision" status '^NO-ROW$'
[ ! -e "$work/real-cache" ] || fail "the decision wrote to the real cache_dir"
# The same through a config= file that names the real cache_dir: still the scratch one.
run "allow via config" "$admin" --config "$work/squadcast.conf" --user alice --module "$module"
expect "auth decision" status '^ok$'
[ ! -e "$work/real-cache" ] || fail "the decision through config= wrote to the real cache_dir"
echo "ok: --user decisions: allow and deny, with the log line, real cache untouched"

# Squadcast down: connectivity fails, the decision is AUTHINFO_UNAVAIL.
curl -sf --cacert "$ca" -X POST -d '{"endpoint":"any","count":100,"mode":"drop"}' "$url/_control/fault" >/dev/null
run "down" "$admin" "${opts[@]}" timeout=5 --user alice --module "$module"
[ "$rc" = 1 ] || fail "down: exit $rc"
expect "auth decision" detail '^PAM_AUTHINFO_UNAVAIL'
curl -sf --cacert "$ca" -X POST -d '{"endpoint":"any","count":0}' "$url/_control/fault" >/dev/null
echo "ok: an outage shows as PAM_AUTHINFO_UNAVAIL"

# Stacks.
mkdir -p "$work/pam.d"
line="pam_squadcast.so org_id=$org min_role=admin auth_url=$url api_url=$url ca_file=$ca"
printf 'auth required %s\naccount required %s\n' "$line" "$line" >"$work/pam.d/locked"
run "lockout stack" /dev/null --service locked --pam-dir "$work/pam.d"
# Failing closed is the recipes' documented choice: a warning with the way out, not a failure.
[ "$rc" = 0 ] || fail "lockout stack: exit $rc"
expect "stack auth" status '^warn$'
expect "stack auth" detail 'nobody gets in.*fail closed'
expect "stack auth" fix 'break-glass account of docs/teams-and-oncall.md'
expect "stack auth" fix 'authinfo_unavail=ignore'
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["stack"]; sys.exit(0 if any("AUTHINFO_UNAVAIL" in l and "the login is refused" in l for l in s) else 1)' "$work/out" ||
  fail "the stack listing does not say what AUTHINFO_UNAVAIL leads to"

# README's sudo line: a bracketed argument with blanks is one option, as libpam reads it.
printf 'auth [success=done default=die] %s [prompt=Squadcast admin token: ]
account required %s
' "$line" "$line" >"$work/pam.d/prompted"
run "bracketed prompt" /dev/null --service prompted --pam-dir "$work/pam.d"
expect options status '^ok$'
[ "$rc" = 0 ] || { cat "$work/out"; fail "bracketed prompt: exit $rc"; }

# The break-glass stack of docs/teams-and-oncall.md: account only, so --user runs account
# only (no token asked); pam_unix for breakglass alone is break glass, not a bypass.
uline="pam_squadcast.so token_source=user_store org_id=$org auth_url=$url api_url=$url ca_file=$ca cache_dir=$work/real-cache"
printf '%s\n' "auth     [default=1 success=ignore] pam_succeed_if.so quiet user = breakglass" \
  "auth     [success=done default=die] pam_unix.so" "auth     required pam_deny.so" \
  "account  [default=1 success=ignore] pam_succeed_if.so quiet user = breakglass" \
  "account  [success=done default=die] pam_unix.so" "account  required $uline" >"$work/pam.d/breakglass"
run "break glass" /dev/null --service breakglass --pam-dir "$work/pam.d" --user alice --module "$module"
expect "stack auth" status '^ok$'
expect "stack account" status '^ok$'
expect "stack account" detail 'break-glass'
expect "auth decision" status '^NO-ROW$'
expect "account decision" detail '^PAM_'
[ ! -e "$work/real-cache" ] || fail "the break-glass decision wrote to the real cache_dir"

printf 'auth [success=done authinfo_unavail=ignore default=die] %s\nauth required pam_unix.so\n' "$line" >"$work/pam.d/common-squadcast"
printf '@include common-squadcast\naccount [success=done authinfo_unavail=ignore default=die] %s\naccount required pam_unix.so\n' "$line" >"$work/pam.d/healthy"
run "healthy stack" /dev/null --service healthy --pam-dir "$work/pam.d"
[ "$rc" = 0 ] || { cat "$work/out"; fail "healthy stack: exit $rc"; }
expect "stack auth" status '^ok$'
expect "stack account" status '^ok$'
expect options status '^ok$'   # the options came from the stack's pam_squadcast line

printf 'auth sufficient pam_unix.so\nauth include locked\naccount include locked\n' >"$work/pam.d/skippable"
run "skippable stack" /dev/null --service skippable --pam-dir "$work/pam.d"
expect "stack auth" status '^warn$'
expect "stack auth" detail 'bypassed: pam_unix.so \(sufficient'
printf 'auth required pam_unix.so\nauth optional %s\naccount required pam_unix.so\n' "$line" >"$work/pam.d/optional"
run "optional stack" /dev/null --service optional --pam-dir "$work/pam.d"
expect "stack auth" status '^warn$'
expect "stack auth" detail 'does not stop the login'
echo "ok: stacks: lockout warned, brackets read, break glass and healthy pass, sufficient-before and optional flagged"

# --enroll: directory mode's host credential, the token on stdin only.
printf 'org_id = %s\nauth_url = %s\napi_url = %s\nca_file = %s\n' "$org" "$url" "$url" "$ca" >"$work/dir.conf"
host1=$(token_file tok-host-1) host2=$(token_file tok-host-2)
hostadmin=$(token_file tok-host-admin) globex=$(token_file tok-globex-host)
etc=$work/etc-squadcast   # missing: --enroll creates it 0755
fingerprint() { tr -d '\n' <"$1" | sha256sum | cut -c1-8; }  # token_fingerprint(): what tokens list shows
# enroll NAME STDIN ARGS... : --enroll with dir.conf; stdout/stderr into $work/out, $work/err, status into $rc.
enroll() {
  local name=$1 input=$2; shift 2
  rc=0
  "$check" --enroll --config "$work/dir.conf" "$@" <"$input" >"$work/out" 2>"$work/err" || rc=$?
  for t in "$work"/token-*; do
    grep -qF -f "$t" "$work/out" "$work/err" && fail "$name: a refresh token reached the output"
  done
  grep -q 'eyJ' "$work/out" "$work/err" && fail "$name: an access token reached the output"
  return 0
}
enroll "happy path" "$host1" --host-token "$etc/host-token"
[ "$rc" = 0 ] || { cat "$work/out" "$work/err"; fail "enroll: exit $rc"; }
[ "$(stat -c '%u %a %F' "$etc/host-token")" = "0 600 regular file" ] || fail "host-token is $(stat -c '%u %a %F' "$etc/host-token")"
[ "$(stat -c '%u %a' "$etc")" = "0 755" ] || fail "the created directory is $(stat -c '%u %a' "$etc")"
[ "$(cat "$etc/host-token")" = "$(cat "$host1")" ] || fail "host-token does not hold the (trimmed) token"
for want in 'email: +fleet-host@acme.test' 'role: +user$' "organisation: +$org" "fingerprint: +$(fingerprint "$host1") "; do
  grep -qE "$want" "$work/out" || { cat "$work/out"; fail "enroll output lacks /$want/"; }
done
echo "ok: --enroll writes root's 0600 and names email, role, organisation, fingerprint, never the token"

enroll "admin" "$hostadmin" --host-token "$etc/host-token-admin"
[ "$rc" = 1 ] || fail "admin credential: exit $rc, expected 1"
grep -q 'role admin, above user' "$work/err" || { cat "$work/err"; fail "admin refusal does not say why"; }
[ ! -e "$etc/host-token-admin" ] || fail "a refused admin credential was written"
enroll "admin allowed" "$hostadmin" --host-token "$etc/host-token-admin" --allow-admin
[ "$rc" = 0 ] || { cat "$work/out" "$work/err"; fail "--allow-admin: exit $rc"; }
grep -qE 'role: +admin' "$work/out" || fail "--allow-admin output lacks the role"
enroll "other org" "$globex" --host-token "$etc/host-token-globex"
[ "$rc" = 1 ] || fail "other organisation: exit $rc, expected 1"
grep -q "not org_id=$org" "$work/err" || { cat "$work/err"; fail "other-organisation refusal does not say why"; }
[ ! -e "$etc/host-token-globex" ] || fail "a credential of another organisation was written"
echo "ok: --enroll refuses an admin's token (unless --allow-admin) and another organisation's"

# The token never on the command line: no option takes it, an argument is refused unechoed.
"$check" --help | grep -q -- '--token' && fail "the usage names a --token option"
rc=0; "$check" --enroll --config "$work/dir.conf" --host-token "$etc/argv" --token "$(cat "$host2")" </dev/null \
  >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 2 ] || fail "--token: exit $rc, expected 2"
rc=0; "$check" --enroll --config "$work/dir.conf" --host-token "$etc/argv" "$(cat "$host2")" </dev/null \
  >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 2 ] || fail "a token as an argument: exit $rc, expected 2"
grep -qF -f "$host2" "$work/out" "$work/err" && fail "a token given as an argument was echoed"
[ ! -e "$etc/argv" ] || fail "a token given in argv was written"
enroll "empty stdin" /dev/null --host-token "$etc/argv"
[ "$rc" = 2 ] && grep -q 'no token on standard input' "$work/err" || fail "empty stdin: exit $rc: $(cat "$work/err")"
if command -v script >/dev/null; then  # a terminal on stdin: refused before any prompt
  rc=0; script -qec "$check --enroll --config $work/dir.conf --host-token $etc/argv" /dev/null </dev/null \
    >"$work/out" 2>&1 || rc=$?
  [ "$rc" = 2 ] && grep -q 'standard input is a terminal' "$work/out" || fail "tty stdin: exit $rc: $(cat "$work/out")"
fi
[ ! -e "$etc/argv" ] || fail "a refused enrolment wrote $etc/argv"
echo "ok: the token is read from stdin only (no option, no argument, no terminal)"

# Squadcast unreachable: exit 3, nothing written.
curl -sf --cacert "$ca" -X POST -d '{"endpoint":"any","count":100,"mode":"drop"}' "$url/_control/fault" >/dev/null
enroll "down" "$host2" --host-token "$etc/host-token-2"
curl -sf --cacert "$ca" -X POST -d '{"endpoint":"any","count":0}' "$url/_control/fault" >/dev/null
[ "$rc" = 3 ] || fail "unreachable: exit $rc, expected 3"
[ ! -e "$etc/host-token-2" ] || fail "an unverified token was written"
echo "ok: Squadcast unreachable: exit 3, nothing written"

# --enroll --check: 0 on a good file, 1 once it is loose, 1 once the token is revoked.
run "check good" /dev/null --enroll --check --config "$work/dir.conf" --host-token "$etc/host-token"
[ "$rc" = 0 ] || { cat "$work/out"; fail "--check on a good file: exit $rc"; }
expect "host token" status '^ok$'
expect "host credential" detail "^fleet-host@acme.test, role user, organisation $org, fingerprint $(fingerprint "$host1")"
chmod 644 "$etc/host-token"
run "check loose" /dev/null --enroll --check --config "$work/dir.conf" --host-token "$etc/host-token"
[ "$rc" = 1 ] || fail "--check on a 0644 file: exit $rc, expected 1"
expect "host token" status '^fail$'
expect "host token" fix "chmod 600 $etc/host-token"
chmod 600 "$etc/host-token"
run "check admin" /dev/null --enroll --check --config "$work/dir.conf" --host-token "$etc/host-token-admin"
[ "$rc" = 1 ] || fail "--check on an admin's credential: exit $rc, expected 1"
run "check admin allowed" /dev/null --enroll --check --allow-admin --config "$work/dir.conf" --host-token "$etc/host-token-admin"
[ "$rc" = 0 ] || fail "--check --allow-admin on an admin's credential: exit $rc"
enroll "second host" "$host2" --host-token "$etc/host-token-2"
[ "$rc" = 0 ] || { cat "$work/err"; fail "enroll tok-host-2: exit $rc"; }
curl -sf --cacert "$ca" -X POST -d '{"token_id":"tok-host-2"}' "$url/_control/revoke" >/dev/null
run "check revoked" /dev/null --enroll --check --config "$work/dir.conf" --host-token "$etc/host-token-2"
[ "$rc" = 1 ] || fail "--check after a revocation: exit $rc, expected 1"
expect "host credential" detail 'revoked or invalid'
before=$(sha256sum "$etc/host-token")
enroll "revoked" "$host2" --host-token "$etc/host-token"
[ "$rc" = 1 ] || fail "a revoked token: exit $rc, expected 1"
[ "$(sha256sum "$etc/host-token")" = "$before" ] || fail "a revoked token replaced the installed credential"
enroll "revoked, new path" "$host2" --host-token "$etc/host-token-3"
[ "$rc" = 1 ] && [ ! -e "$etc/host-token-3" ] || fail "a revoked token: exit $rc or a file was written"
echo "ok: --enroll --check: 0 when good, 1 when loose, an admin's or revoked; a revoked token is never written"

# Directory mode through the stack: --user runs account only and shows the rosters used;
# the files rows cover the host credential. The real cache_dir is never touched.
dline="pam_squadcast.so token_source=host host_token=$etc/host-token org_id=$org user_map=email_localpart email_domain=acme.test require_team=payments auth_url=$url api_url=$url ca_file=$ca cache_dir=$work/real-cache"
printf 'account [success=done authinfo_unavail=ignore default=die] %s\naccount required pam_unix.so\n' "$dline" >"$work/pam.d/directory"
run "directory allow" /dev/null --service directory --pam-dir "$work/pam.d" --user alice --module "$module"
[ "$rc" = 0 ] || { cat "$work/out" "$work/err"; fail "directory allow: exit $rc"; }
expect "stack auth" status '^ok$'   # account only: no pam_squadcast in auth is right
expect "host token" status '^ok$'
expect "host credential" detail "^fleet-host@acme.test, role user, organisation $org, fingerprint $(fingerprint "$host1")"
expect "auth decision" status '^NO-ROW$'
expect "account decision" detail '^PAM_SUCCESS; log: .*account: user=alice email=alice@acme.test .*decision=allow source=squadcast reason="member of team payments"'
expect "rosters" detail '^person alice@acme.test: squadcast, 0 s old; teams: squadcast, [0-9]+ s old; members 5e8edb1f7e6f7d0001b20001: squadcast'
run "directory deny" /dev/null --service directory --pam-dir "$work/pam.d" --user bob --module "$module"
expect "account decision" status '^warn$'
expect "account decision" detail 'decision=deny .*reason="not a member of team payments"'
expect "rosters" detail '^person bob@acme.test: squadcast.*members 5e8edb1f7e6f7d0001b20001: squadcast'
[ ! -e "$work/real-cache" ] || fail "the directory-mode decision wrote to the real cache_dir"
chmod 640 "$etc/host-token"
run "directory loose" /dev/null --service directory --pam-dir "$work/pam.d"
expect "host token" status '^fail$'
expect "host token" fix "chmod 600 $etc/host-token"
chmod 600 "$etc/host-token"
echo "ok: directory mode: --user shows the account decision and the rosters it used; files cover the host credential"

# Refresh-token rotation: the exchange retires the token given, so the new one is installed
# (and --check writes back the one it is handed, as the module does).
cp "$host1" "$work/token-tok-host-1-retired"   # still checked for in every output
curl -sf --cacert "$ca" -X POST -d '{"enabled":true}' "$url/_control/rotation" >/dev/null
enroll "rotation" "$host1" --host-token "$etc/host-token-rotated"
[ "$rc" = 0 ] || { cat "$work/err"; fail "enroll with rotation: exit $rc"; }
rotated=$(token_file tok-host-1)
[ "$(cat "$etc/host-token-rotated")" = "$(cat "$rotated")" ] || fail "rotation: the retired token was installed"
grep -qE "fingerprint: +$(fingerprint "$rotated") " "$work/out" || fail "rotation: the fingerprint is not the installed token's"
run "check rotation" /dev/null --enroll --check --config "$work/dir.conf" --host-token "$etc/host-token-rotated"
[ "$rc" = 0 ] || { cat "$work/out"; fail "--check with rotation: exit $rc"; }
[ "$(cat "$etc/host-token-rotated")" = "$(cat "$(token_file tok-host-1)")" ] || fail "--check lost a rotated token"
curl -sf --cacert "$ca" -X POST -d '{"enabled":false}' "$url/_control/rotation" >/dev/null
echo "ok: with rotation, --enroll installs and --check keeps the token Squadcast handed out"

# Text output: the verdict line.
"$check" "${opts[@]}" >"$work/text" 2>&1 </dev/null || true
grep -q '^squadcast-pam-check: all [0-9]* checks passed' "$work/text" || { cat "$work/text"; fail "no verdict line"; }
echo "PASS: squadcast-pam-check"
