#!/usr/bin/env bash
# pam_squadcast.so behind a real OpenSSH sshd (root only; exit 77 = SKIP otherwise).
#
# A private sshd (own host key, 127.0.0.1, a free high port) is started as a symlink named
# sshd-squadcast-test-PID, so OpenSSH (PAM service = __progname) reads our own
# /etc/pam.d/sshd-squadcast-test-PID and nothing of the system's sshd set-up is used. That
# service is README.md's token-mode sshd recipe, verbatim (module path and config= aside),
# placed before @include common-auth in a copy of the stock /etc/pam.d/sshd, with a scratch
# pam.conf (org_id, the emulator, user_map of this test's users); the sshd config is the
# stock sshd_config with README.md's drop-in (tests/docs/recipe_block.sh places both, as
# tests/docs/recipes_test.sh does): a broken recipe fails this test.
# The real ssh client answers the keyboard-interactive prompt through SSH_ASKPASS (forced)
# from a helper that cats a 0600 token file: the token is never in any argv.
#   sqtest-alice + tok-admin (admin)  -> logs in and runs `echo LOGIN-OK`
#   sqtest-bob   + tok-user  (user)   -> Permission denied (min_role=admin)
# then, with require_team = payments added to pam.conf and bob made an admin too:
#   sqtest-alice (member of payments) -> logs in; sqtest-bob (not a member) -> refused
# and neither the sshd log (-e, LogLevel DEBUG3) nor the module's syslog lines (captured
# on a private /dev/log when the system has none) contain a token.
# Usage: sshd_login_test.sh MODULE EMULATOR SEED
if [ -n "${SQUADCAST_SANITIZED:-}" ]; then echo "SKIP: this is a sanitizer build; the system's binaries cannot load ASan-instrumented code"; exit 77; fi
set -euo pipefail
module=$(realpath "$1") emulator=$(realpath "$2") seed=$(realpath "$3")

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for tool in ssh ssh-keygen useradd userdel curl python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd_bin" ] || { echo "SKIP: sshd (openssh-server) not installed"; exit 77; }

org=5e8edb1f7e6f7d0001a1c0de
marker="squadcast sshd_login_test"     # GECOS of the users we create (and only those we delete)
service=sshd-squadcast-test-$$
work=$(mktemp -d /tmp/squadcast-sshd-XXXXXX)
chmod 755 "$work"                       # the test users' shell must reach nothing here but bin/
made_run_sshd=0 made_dev_log=0 made_users=""
emu_pid="" sshd_pid="" syslog_pid=""

cleanup() {
  set +e
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
  for u in $made_users; do userdel -f "$u" 2>/dev/null; done
  rm -f "/etc/pam.d/$service"
  [ -n "$syslog_pid" ] && kill "$syslog_pid" 2>/dev/null && wait "$syslog_pid" 2>/dev/null
  [ "$made_dev_log" = 1 ] && rm -f /dev/log
  [ "$made_run_sshd" = 1 ] && rmdir /run/sshd 2>/dev/null
  exec 9>&- 2>/dev/null                 # closes the emulator's stdin: it exits
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
  echo "FAIL: $*"
  for f in ssh-alice.out ssh-bob.out sshd.log syslog.log; do
    [ -s "$work/$f" ] && { echo "--- $f (last 40 lines)"; tail -n 40 "$work/$f"; }
  done
  exit 1
}

# --- the emulator (lives while fd 9 is open)
mkfifo "$work/emu.stdin"
"$emulator" --seed "$seed" --state-dir "$work/emu" --exit-on-stdin-eof <"$work/emu.stdin" >"$work/emu.out" 2>"$work/emu.log" &
emu_pid=$!
exec 9>"$work/emu.stdin"
for _ in $(seq 100); do [ -s "$work/emu/url" ] && break; sleep 0.1; done
[ -s "$work/emu/url" ] || fail "the emulator did not start"
url=$(cat "$work/emu/url") ca=$work/emu/ca.pem
umask 077
token_to_file() {  # token id -> 0600 file; the token never passes through argv
  curl -sf --cacert "$ca" "$url/_control/token?token_id=$1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$2"
  [ -s "$2" ] || fail "no token for $1 from the emulator"
}
mkdir -m 755 "$work/bin"
mkdir -m 700 "$work/secrets"
token_to_file tok-admin "$work/secrets/alice"
token_to_file tok-user "$work/secrets/bob"
umask 022

# --- local users (removed at exit); a leftover of a killed earlier run is replaced
for u in sqtest-alice sqtest-bob; do
  if getent passwd "$u" >/dev/null; then
    [ "$(getent passwd "$u" | cut -d: -f5)" = "$marker" ] || fail "$u exists and is not ours"
    userdel -f "$u" 2>/dev/null || true
  fi
  useradd -M -d / -s /bin/sh -c "$marker" -U "$u"
  made_users="$made_users $u"
done
printf 'alice@acme.test sqtest-alice\nbob@acme.test sqtest-bob\n' >"$work/user_map"
chmod 644 "$work/user_map"

# --- the PAM service, named after the sshd binary we start: README.md's token-mode sshd
# recipe as written, before @include common-auth in a copy of the stock /etc/pam.d/sshd.
# What the recipe leaves to /etc/squadcast/pam.conf is in a scratch one: the emulator,
# and the map to this test's own users.
cat >"$work/pam.conf" <<CONF
org_id = $org
auth_url = $url
api_url = $url
ca_file = $ca
cache_dir = $work/cache
user_map = file:$work/user_map
timeout = 10
CONF
chmod 600 "$work/pam.conf"
. "$(dirname "$0")/root_test_lib.sh"
rt_recipe_pam "$module" "$work/pam.conf" "/etc/pam.d/$service" README.md "pam sshd before @include common-auth"
ln -s "$sshd_bin" "$work/bin/$service"

# --- catch the module's syslog lines when the system has no /dev/log of its own
if [ ! -e /dev/log ]; then
  python3 - "$work/syslog.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
PY
  syslog_pid=$!
  made_dev_log=1
  for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
fi

# --- sshd
if [ ! -d /run/sshd ]; then mkdir -m 755 /run/sshd; made_run_sshd=1; fi
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# README.md's sshd drop-in on the stock sshd_config; this test's own listener, host key and
# users in a drop-in read after it (sshd keeps the first value: the recipe's win)
rt_recipe_sshd README.md 1 "$work/sshd_config.d" "$work/sshd_config"
cat >"$work/sshd_config.d/zz-test.conf" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $work/host_key
PidFile $work/sshd.pid
PermitRootLogin no
MaxAuthTries 2
AllowUsers sqtest-alice sqtest-bob
LogLevel DEBUG3
CFG
"$work/bin/$service" -t -f "$work/sshd_config" || fail "sshd -t rejected the config"
"$work/bin/$service" -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 50); do grep -q "Server listening on" "$work/sshd.log" 2>/dev/null && break; sleep 0.1; done
grep -q "Server listening on" "$work/sshd.log" || fail "sshd did not start"

# --- the client: ssh reads each keyboard-interactive answer from the askpass helper
cat >"$work/bin/askpass" <<'SH'
#!/bin/sh
exec cat "$SQTEST_TOKEN_FILE"
SH
chmod 755 "$work/bin/askpass"
login() {  # local-user token-file out-file -> ssh's exit status
  SSH_ASKPASS="$work/bin/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY= SQTEST_TOKEN_FILE=$2 \
    timeout 60 ssh -F /dev/null -p "$port" -l "$1" \
      -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
      -o PreferredAuthentications=keyboard-interactive -o PubkeyAuthentication=no -o IdentityFile=none \
      -o NumberOfPasswordPrompts=1 -o ConnectTimeout=10 -o LogLevel=ERROR -T \
      127.0.0.1 'echo LOGIN-OK as $(id -un)' </dev/null >"$3" 2>&1
}

status=0
login sqtest-alice "$work/secrets/alice" "$work/ssh-alice.out" || status=$?
echo "alice (admin token): exit $status: $(tr '\n' ' ' <"$work/ssh-alice.out")"
[ "$status" = 0 ] || fail "the admin was refused"
grep -q "^LOGIN-OK as sqtest-alice$" "$work/ssh-alice.out" || fail "no LOGIN-OK from the admin's session"

status=0
login sqtest-bob "$work/secrets/bob" "$work/ssh-bob.out" || status=$?
echo "bob (user-role token): exit $status: $(tr '\n' ' ' <"$work/ssh-bob.out")"
[ "$status" != 0 ] || fail "a user-role token logged in"
grep -q "LOGIN-OK" "$work/ssh-bob.out" && fail "bob's command ran"
grep -q "Permission denied" "$work/ssh-bob.out" || fail "bob was not refused with Permission denied"

# sshd's own view: PAM accepted alice, and refused bob (sshd may write its line after the
# client has already gone: wait for it, up to 5 s)
logged() { for _ in $(seq 50); do grep -q "$1" "$work/sshd.log" && return 0; sleep 0.1; done; return 1; }
logged "Accepted keyboard-interactive/pam for sqtest-alice" || fail "sshd did not log alice's PAM login"
logged "Failed keyboard-interactive/pam for sqtest-bob" || fail "sshd did not log bob's PAM failure"

# --- no token anywhere in the logs (the refresh tokens, and their first 8 characters)
for who in alice bob; do
  tok=$(cat "$work/secrets/$who")
  for f in sshd.log syslog.log emu.log; do
    [ -f "$work/$f" ] || continue
    if grep -qF -e "$tok" -e "${tok:0:8}" "$work/$f"; then fail "$who's token appears in $f"; fi
  done
done
echo "sshd log: $(wc -l <"$work/sshd.log") lines at DEBUG3, no token in it"

if [ -s "$work/syslog.log" ]; then
  grep -q "user=sqtest-alice email=alice@acme.test role=admin decision=allow" "$work/syslog.log" \
    || fail "no allow line for alice in the module's syslog output"
  grep -q "user=sqtest-bob email=bob@acme.test role=user decision=deny .*role user is below admin" "$work/syslog.log" \
    || fail "no deny line for bob in the module's syslog output"
  echo "module syslog (captured on a private /dev/log, no token in it):"
  grep -o "auth: user=.*" "$work/syslog.log" | sed 's/^/  /'
fi
# --- require_team=: a team member in; a non-member of the same role and organisation out.
# bob becomes an admin like alice; only alice is in team payments (tests/emulator/README.md).
curl -sf --cacert "$ca" -X POST -d '{"user_email":"bob@acme.test","role":"admin"}' "$url/_control/role" >/dev/null \
  || fail "could not make bob an admin"
echo "require_team = payments" >>"$work/pam.conf"  # the recipe's lines stay as written
status=0
login sqtest-alice "$work/secrets/alice" "$work/ssh-alice-team.out" || status=$?
echo "require_team=payments, alice (admin, member): exit $status: $(tr '\n' ' ' <"$work/ssh-alice-team.out")"
[ "$status" = 0 ] || fail "the team member was refused"
grep -q "^LOGIN-OK as sqtest-alice$" "$work/ssh-alice-team.out" || fail "no LOGIN-OK from the team member's session"
status=0
login sqtest-bob "$work/secrets/bob" "$work/ssh-bob-team.out" || status=$?
echo "require_team=payments, bob (admin, not a member): exit $status: $(tr '\n' ' ' <"$work/ssh-bob-team.out")"
[ "$status" != 0 ] || fail "a non-member logged in"
grep -q "LOGIN-OK" "$work/ssh-bob-team.out" && fail "the non-member's command ran"
if [ -s "$work/syslog.log" ]; then
  grep -q "user=sqtest-bob email=bob@acme.test role=admin decision=deny .*reason=\"not a member of team payments\"" "$work/syslog.log" \
    || fail "no 'not a member of team payments' line for bob"
  grep -q "user=sqtest-alice .*decision=allow .*reason=\"member of team payments\"" "$work/syslog.log" \
    || fail "no 'member of team payments' line for alice"
fi
echo "PASS: real sshd + pam_squadcast.so: admin logged in, user-role token refused; require_team: member in, non-member admin refused"
