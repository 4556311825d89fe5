#!/usr/bin/env bash
# Directory mode (token_source=host) behind a real OpenSSH sshd with public-key logins
# (root only; exit 77 = SKIP otherwise).
#
# A private sshd (own host key, 127.0.0.1, a free port) runs as a symlink named
# sshd-sqdir-test-PID, so OpenSSH (PAM service = __progname) reads our own
# /etc/pam.d/sshd-sqdir-test-PID and nothing of the system's sshd set-up. That service is
# docs/directory-mode.md's sshd recipe (account required pam_squadcast.so ... token_source=host
# ... require_team=payments) placed before @include common-account in a copy of the stock
# /etc/pam.d/sshd, and the sshd config is the stock sshd_config with that page's drop-in
# (AuthenticationMethods publickey), both by tests/docs/recipe_block.sh as
# tests/docs/recipes_test.sh does; only the module's path, config= (a scratch pam.conf) and
# the user map (this test's own users) differ: a broken recipe fails this test.
# The host's credential is tok-host-1 (fleet-host@acme.test, role user, in no team) in a
# root-owned 0600 file; no person's token is anywhere on the host.
#   sqdir-alice (alice@acme.test, member of payments) -> logs in and runs a command
#   sqdir-alice again                                  -> from the roster cache, no request
#   sqdir-bob   (bob@acme.test, not a member)          -> refused by the account stack
# Then: alice's and bob's tokens were never spent (emulator token counters), they are in
# no file under /etc, the users' homes or cache_dir, and neither they nor the host's token
# are in the sshd log (LogLevel DEBUG3), the module's syslog lines (captured on a private
# /dev/log when the system has none), the emulator log or the ssh client's output.
# Usage: sshd_directory_test.sh MODULE EMULATOR SEED
set -euo pipefail
. "$(dirname "$0")/root_test_lib.sh"
rt_require_root_and ssh ssh-keygen useradd userdel curl python3
sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd_bin" ] || { echo "SKIP: sshd (openssh-server) not installed"; exit 77; }
module=$(realpath "$1") emulator=$(realpath "$2") seed=$(realpath "$3")

org=5e8edb1f7e6f7d0001a1c0de
marker="squadcast sshd_directory_test"  # GECOS of the users we create (and only those we delete)
service=sshd-sqdir-test-$$
work=$(mktemp -d /tmp/squadcast-sshd-dir-XXXXXX)
secrets=$(mktemp -d /tmp/squadcast-sshd-dir-secrets-XXXXXX)  # the client's keys, the persons' tokens (grep patterns)
chmod 755 "$work"
made_run_sshd=0 made_users="" sshd_pid=""

cleanup() {
  set +e
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
  for u in $made_users; do userdel -f "$u" 2>/dev/null; done
  rm -f "/etc/pam.d/$service"
  [ "$made_run_sshd" = 1 ] && rmdir /run/sshd 2>/dev/null
  rt_cleanup
  rm -rf "$work" "$secrets"
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

rt_start_emulator "$emulator" "$seed" "$work"
rt_host_and_person_tokens "$work" "$secrets"

# --- local users with their keys (removed at exit); a leftover of a killed earlier run is replaced
mkdir -m 755 "$work/home"
for who in alice bob; do
  u=sqdir-$who
  if getent passwd "$u" >/dev/null; then
    [ "$(getent passwd "$u" | cut -d: -f5)" = "$marker" ] || fail "$u exists and is not ours"
    userdel -f "$u" 2>/dev/null || true
  fi
  useradd -M -d "$work/home/$u" -s /bin/sh -c "$marker" -U "$u"
  made_users="$made_users $u"
  ssh-keygen -q -t ed25519 -N '' -C "$u" -f "$secrets/id_$who"
  mkdir -m 700 "$work/home/$u" "$work/home/$u/.ssh"
  cp "$secrets/id_$who.pub" "$work/home/$u/.ssh/authorized_keys"
  chmod 600 "$work/home/$u/.ssh/authorized_keys"
  chown -R "$u:$u" "$work/home/$u"
done
printf 'alice@acme.test sqdir-alice\nbob@acme.test sqdir-bob\n' >"$work/user_map"
chmod 644 "$work/user_map"

# --- the PAM service, named after the sshd binary we start: docs/directory-mode.md's sshd
# recipe as written, before @include common-account in a copy of the stock /etc/pam.d/sshd
# (keys authenticate: sshd runs only its account group), but for the module's path,
# config= (a scratch pam.conf: org_id, the emulator, the host credential) and the user map:
# this test's users are sqdir-*, not the email localparts of example.com.
cat >"$work/pam.conf" <<CONF
org_id = $org
host_token = $work/etc-squadcast/host-token
auth_url = $url
api_url = $url
ca_file = $ca
cache_dir = $work/cache
timeout = 10
CONF
chmod 600 "$work/pam.conf"
rt_recipe_pam "$module" "$work/pam.conf" "/etc/pam.d/$service" docs/directory-mode.md "pam sshd before @include common-account" \
  "s#user_map=email_localpart email_domain=example.com#user_map=file:$work/user_map#"
grep -q "user_map=file:" "/etc/pam.d/$service" || fail "the recipe no longer says 'user_map=email_localpart email_domain=example.com'"
mkdir -m 755 "$work/bin"
ln -s "$sshd_bin" "$work/bin/$service"

rt_capture_syslog "$work/syslog.log"

# --- sshd
if [ ! -d /run/sshd ]; then mkdir -m 755 /run/sshd; made_run_sshd=1; fi
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# docs/directory-mode.md's sshd drop-in on the stock sshd_config; this test's own listener,
# host key and users in a drop-in read after it (sshd keeps the first value: the recipe's win)
rt_recipe_sshd docs/directory-mode.md 1 "$work/sshd_config.d" "$work/sshd_config"
cat >"$work/sshd_config.d/zz-test.conf" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $work/host_key
PidFile $work/sshd.pid
StrictModes yes
PermitRootLogin no
MaxAuthTries 2
AllowUsers sqdir-alice sqdir-bob
LogLevel DEBUG3
CFG
"$work/bin/$service" -t -f "$work/sshd_config" || fail "sshd -t rejected the config"
"$work/bin/$service" -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 50); do grep -q "Server listening on" "$work/sshd.log" 2>/dev/null && break; sleep 0.1; done
grep -q "Server listening on" "$work/sshd.log" || fail "sshd did not start"

login() {  # who out-file -> ssh's exit status (public key only, no prompt)
  timeout 60 ssh -F /dev/null -p "$port" -l "sqdir-$1" -i "$secrets/id_$1" -o IdentitiesOnly=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
    -o PreferredAuthentications=publickey -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=INFO -T \
    127.0.0.1 'echo LOGIN-OK as $(id -un)' </dev/null >"$work/$2" 2>&1
}
counter() { rt_control "$url/_control/counters" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

status=0
login alice ssh-alice.out || status=$?
echo "alice (member of payments, public key): exit $status: $(tr '\n' ' ' <"$work/ssh-alice.out")"
[ "$status" = 0 ] || fail "the team member was refused"
grep -q "^LOGIN-OK as sqdir-alice$" "$work/ssh-alice.out" || fail "no LOGIN-OK from alice's session"
asked=$(counter total)

status=0
login alice ssh-alice-2.out || status=$?
[ "$status" = 0 ] || fail "alice's second login failed"
grep -q "^LOGIN-OK as sqdir-alice$" "$work/ssh-alice-2.out" || fail "no LOGIN-OK from alice's second session"
[ "$(counter total)" = "$asked" ] || fail "alice's second login asked Squadcast again within roster_ttl"
echo "alice again: logged in from the roster cache ($asked requests to Squadcast in all, none for it)"

status=0
login bob ssh-bob.out || status=$?
echo "bob (not a member of payments, public key): exit $status: $(tr '\n' ' ' <"$work/ssh-bob.out")"
[ "$status" != 0 ] || fail "the non-member logged in"
grep -q "LOGIN-OK" "$work/ssh-bob.out" && fail "the non-member's command ran"
# OpenSSH closes the connection without a reason once the account stack refuses
grep -q "^Connection closed by 127.0.0.1 port $port" "$work/ssh-bob.out" || fail "bob's connection was not closed by sshd"

# sshd's view: both keys were accepted, and PAM's account stack refused bob. (sshd may
# write these after the client has gone: the pre-auth child's lines pass through the monitor.)
in_sshd_log() { for _ in $(seq 50); do grep -q "$1" "$work/sshd.log" && return 0; sleep 0.1; done; return 1; }
in_sshd_log "Accepted publickey for sqdir-alice" || fail "sshd did not log alice's public-key login"
in_sshd_log "Access denied for user sqdir-bob by PAM account configuration" \
  || fail "sshd did not log bob's refusal by the PAM account stack"
in_sshd_log "Failed publickey for sqdir-bob" || fail "sshd did not log bob's login as failed"
grep -q "Accepted publickey for sqdir-bob" "$work/sshd.log" && fail "sshd logged bob as accepted"
grep -Eq "Accepted (keyboard-interactive|password)" "$work/sshd.log" && fail "a method other than publickey was accepted"

# --- no person's token used or kept by the host; no token in any log
rt_only_spent tok-host-1
scan=("/etc" "$work/home" "$work/cache" "$work/etc-squadcast" "$work/user_map" "$work/sshd_config")
[ -d /etc/squadcast ] && scan+=("/etc/squadcast")
rt_no_token_in "$secrets/persons" "a file on the host" "${scan[@]}"
[ -d "$work/cache" ] || fail "no cache_dir was made"
[ "$(stat -c %a "$work/cache")" = 700 ] || fail "cache_dir is not 0700"
bad=$(find "$work/cache" -type f ! -perm 600 | head -n 3)
[ -z "$bad" ] || fail "cache files not 0600: $bad"
echo "alice's and bob's tokens: in no file under /etc, the users' homes, cache_dir ($(find "$work/cache" -type f | wc -l) files, 0600) or the host credential's directory"
logs=("$work/sshd.log" "$work/emu.log" "$work/emu.out" "$work"/ssh-*.out)
[ -f "$work/syslog.log" ] && logs+=("$work/syslog.log")
rt_no_token_in "$secrets/all" "a log or the client's output" "${logs[@]}"
echo "sshd log: $(wc -l <"$work/sshd.log") lines at DEBUG3; no token (the persons' or the host's) in it, the module's syslog, the emulator log or the client's output"

if rt_syslog_intact && [ -s "$work/syslog.log" ]; then
  grep -q "user=sqdir-alice email=alice@acme.test role=admin decision=allow source=squadcast reason=\"member of team payments\"" "$work/syslog.log" \
    || fail "no allow line (source=squadcast) for alice in the module's syslog output"
  grep -q "user=sqdir-alice email=alice@acme.test role=admin decision=allow source=roster-cache reason=\"member of team payments\"" "$work/syslog.log" \
    || fail "no allow line from the roster cache for alice"
  grep -q "user=sqdir-bob email=bob@acme.test role=user decision=deny source=squadcast reason=\"not a member of team payments\"" "$work/syslog.log" \
    || fail "no 'not a member of team payments' line for bob"
  echo "module syslog (captured on a private /dev/log):"
  grep -o "account: user=.*" "$work/syslog.log" | sed 's/^/  /'
else
  echo "note: /dev/log is not (or no longer) ours: the module's lines were not all caught here, so not checked"
fi
echo "PASS: real sshd, public keys + directory mode require_team=payments: member in (then from the roster cache), non-member refused; no person's token spent, kept or logged"
