#!/usr/bin/env bash
# A real sudo with directory mode (token_source=host) require_oncall= in its account stack,
# and the break-glass recipe of docs/teams-and-oncall.md (root only; exit 77 = SKIP otherwise).
# /etc/pam.d/sudo is taken from the docs (tests/docs/recipe_block.sh): teams-and-oncall.md's
# break-glass stack with directory-mode.md's sudo line as its last account line, verbatim but
# for the module's path, config=, email_domain and one schedule: a broken recipe fails this test.
#
# Everything happens in a private mount namespace (unshare -m) whose /etc is a copy of the
# host's on a tmpfs of its own: the users, /etc/sudoers and /etc/pam.d/sudo are written
# there, so the host's users, sudoers and PAM configuration are never touched, and a
# useradd on the host meanwhile (which replaces /etc/passwd, and so would detach a bind
# mount over that one file) cannot pull them away. The local users are named after the
# email localparts (user_map=email_localpart email_domain=acme.test), in that copy only.
# The host's credential is tok-host-1 (fleet-host@acme.test) in a root-owned 0600 file; no
# person's token is on the host.
#   alice (on call for schedule 42)     -> sudo gives root (NOPASSWD: the account stack only)
#   bob   (not on call for 42)          -> refused
#   hand-off of 42 alice -> bob         -> bob gets root within roster_ttl=5 (+ the 10 s
#                                          refusal refetch; polled every second, up to 15 s,
#                                          the time is reported); alice refused after roster_ttl
#   host credential revoked (emulator up) -> alice and bob refused (PAM_SERVICE_ERR) once
#                                          the rosters are older than roster_ttl; break glass works
#   emulator killed                     -> breakglass (pam_unix password) gets root; bob gets
#                                          PAM_AUTHINFO_UNAVAIL
# The namespace also gets a /dev of its own, where a /dev/log catches the module's syslog
# lines (each decision's reason and source is checked). Then: only the host's token was
# spent, alice's and bob's tokens are in no file under /etc, the homes or cache_dir, and no
# token is in sudo's output, the module's syslog lines or the emulator log.
# Usage: sudo_directory_test.sh MODULE EMULATOR SEED
set -euo pipefail
. "$(dirname "$0")/root_test_lib.sh"
rt_require_root_and sudo unshare setpriv openssl curl python3 mount
[ -f /etc/pam.d/sudo ] && [ -f /etc/sudoers ] || { echo "SKIP: no /etc/pam.d/sudo or /etc/sudoers to stand in for"; exit 77; }
if [ -z "${SQDIR_IN_NAMESPACE:-}" ]; then
  unshare -m true 2>/dev/null || { echo "SKIP: cannot create a mount namespace here"; exit 77; }
  exec unshare -m --propagation private env SQDIR_IN_NAMESPACE=1 RT_PRIVATE_MOUNTS=1 bash "$0" "$@"
fi

module=$(realpath "$1") emulator=$(realpath "$2") seed=$(realpath "$3")
org=5e8edb1f7e6f7d0001a1c0de
roster_ttl=5
work=$(mktemp -d /tmp/squadcast-sudo-dir-XXXXXX)
secrets=$(mktemp -d /tmp/squadcast-sudo-dir-secrets-XXXXXX)  # the persons' tokens, as grep patterns only
chmod 755 "$work"
etc_copied=0
cleanup() {
  set +e
  rt_cleanup
  if [ "$etc_copied" = 1 ]; then umount /etc; umount "$work/etc"; fi
  rm -rf "$work" "$secrets"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() {
  echo "FAIL: $*"
  for f in "$work"/sudo-*.out "$work/syslog.log"; do [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  exit 1
}

rt_start_emulator "$emulator" "$seed" "$work"
rt_host_and_person_tokens "$work" "$secrets"

# --- this namespace's /etc: a copy of the host's, on a tmpfs only this namespace sees
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] || fail "not in a mount namespace of our own"
mkdir -m 755 "$work/etc"
mount -t tmpfs -o mode=755,size=256m squadcast-test-etc "$work/etc" || fail "no tmpfs for the copy of /etc"
etc_copied=1
# (a file that vanishes meanwhile, e.g. a useradd's /etc/passwd.lock on the host, is not copied)
if ! cp -a /etc/. "$work/etc/" 2>"$work/cp.err"; then
  ! grep -v "^cp: cannot stat '/etc/.*': No such file or directory$" "$work/cp.err" || fail "could not copy /etc"
fi
touch "$work/etc/.squadcast-sudo-directory-test"
mount --bind "$work/etc" /etc || fail "could not cover /etc"
# nothing below may write to the host's /etc
[ -f /etc/.squadcast-sudo-directory-test ] && [ "$(stat -f -c %T /etc)" = tmpfs ] || fail "/etc is not our copy"
export NSS_NSCD_DISABLED=1  # nscd would answer from the host's view of the users

# --- users (this namespace only); any alice, bob or breakglass of the host's is left out
users="alice bob breakglass"
for f in passwd group shadow gshadow; do
  [ -f "/etc/$f" ] || continue
  grep -Ev '^(alice|bob|breakglass):' "/etc/$f" >"$work/$f.new" || true
  cat "$work/$f.new" >"/etc/$f"; rm -f "$work/$f.new"
done
uid_base=$(( 42000 + $$ % 1000 ))
while cut -d: -f3 /etc/passwd /etc/group | grep -qxE "$uid_base|$((uid_base + 1))|$((uid_base + 2))"; do
  uid_base=$(( uid_base + 3 ))
done
mkdir -m 755 "$work/home"
i=0
for u in $users; do
  uid=$(( uid_base + i )); i=$(( i + 1 ))
  mkdir -m 700 "$work/home/$u"
  chown "$uid:$uid" "$work/home/$u"
  echo "$u:x:$uid:$uid:squadcast sudo_directory_test:$work/home/$u:/bin/sh" >>/etc/passwd
  echo "$u:x:$uid:" >>/etc/group
  echo "$u:!:19000:0:99999:7:::" >>/etc/shadow
done
breakglass_password=$(openssl rand -hex 12)
hash=$(printf '%s' "$breakglass_password" | openssl passwd -6 -stdin)
sed -i "s|^breakglass:!:|breakglass:$hash:|" /etc/shadow

cat >/etc/sudoers <<SUDOERS
Defaults !lecture, !fqdn, !syslog, env_reset
root ALL=(ALL:ALL) ALL
alice, bob ALL=(root) NOPASSWD: ALL
breakglass ALL=(root) ALL
SUDOERS
chmod 440 /etc/sudoers
# docs/directory-mode.md ("On-call sudo for the responders"): the break-glass recipe of
# docs/teams-and-oncall.md (the whole /etc/pam.d/sudo) with its last account line replaced by
# that page's line, both as written but for the module's path, config= (a scratch pam.conf:
# org_id, the emulator, the host credential, roster_ttl), email_domain (the emulator's
# acme.test) and one schedule (require_oncall=payments/42, as teams-and-oncall.md says for
# one schedule: the seed has alice on call for two schedules of payments, bob's squad for a third).
cat >"$work/pam.conf" <<CONF
org_id = $org
host_token = $work/etc-squadcast/host-token
roster_ttl = $roster_ttl
auth_url = $url
api_url = $url
ca_file = $ca
cache_dir = $work/cache
timeout = 5
CONF
chmod 600 "$work/pam.conf"
# the directory-mode line, placed as its marker says in the stock /etc/pam.d/sudo (only to
# take it out again as used)
rt_recipe_pam "$module" "$work/pam.conf" "$work/pam.d-sudo-directory" docs/directory-mode.md \
  "pam sudo after @include common-account" \
  "s#email_domain=example.com#email_domain=acme.test#" "s#require_oncall=payments\$#require_oncall=payments/42#"
grep "$module" "$work/pam.d-sudo-directory" >"$work/directory-line"
[ "$(wc -l <"$work/directory-line")" = 1 ] && grep -q "email_domain=acme.test .*require_oncall=payments/42$" "$work/directory-line" ||
  fail "docs/directory-mode.md's sudo line is no longer one line with email_domain=example.com ... require_oncall=payments"
rt_recipe_pam "$module" "$work/pam.conf" /etc/pam.d/sudo docs/teams-and-oncall.md "pam sudo replace"
python3 - /etc/pam.d/sudo "$work/directory-line" "$module" <<'PY' || fail "the break-glass recipe has not exactly one account line of the module"
import sys
path, line, module = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
stack = open(path).read().split("\n")
at = [i for i, l in enumerate(stack) if l.split()[:1] == ["account"] and module in l.split()]
if len(at) != 1:
    sys.exit(1)
stack[at[0]] = line.rstrip("\n")
open(path, "w").write("\n".join(stack))
PY
echo "/etc/pam.d/sudo, as used:"
sed 's/^/  | /' /etc/pam.d/sudo

# --- and a /dev of its own, where the module's syslog lines are caught (the host's /dev,
# and any /dev/log of the host's, are left alone)
rt_private_dev "$work"
rt_capture_syslog "$work/syslog.log"
rt_syslog_intact || fail "no /dev/log of our own in the private /dev"

as_user() {  # user command... (a clean environment, the user's uid/gid)
  local u=$1; shift
  local uid gid
  uid=$(id -u "$u") && gid=$(id -g "$u") || fail "no user $u in this namespace's /etc/passwd"
  setpriv --reuid "$uid" --regid "$gid" --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work/home/$u" "$@"
}
try_sudo() {  # user out-name -> 0 when sudo ran `id -u` as root
  as_user "$1" timeout 30 sudo -n -k id -u >"$work/sudo-$2.out" 2>&1 || return 1
  grep -qx 0 "$work/sudo-$2.out"
}
refused() {  # user out-name pam-message what
  if try_sudo "$1" "$2"; then fail "$1 got root ($4)"; fi
  grep -q "PAM account management error: $3" "$work/sudo-$2.out" || fail "$1 was not refused with '$3' ($4)"
  echo "$4: $1 refused: $(tr "\n" " " <"$work/sudo-$2.out")"
}
breakglass() {  # out-name what
  printf '%s\n' "$breakglass_password" | as_user breakglass timeout 30 sudo -S -k -p '' id -u >"$work/sudo-$1.out" 2>&1 \
    || fail "the break-glass account did not get root ($2)"
  grep -qx 0 "$work/sudo-$1.out" || fail "break glass: no root ($2)"
  echo "$2: breakglass (pam_unix password): root"
}
now() { date +%s.%N; }
since() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$(now)"; }
syslog_has() { grep -q "$1" "$work/syslog.log" || fail "no syslog line: $1"; }

# --- on call, not on call
fetched=$(now)
try_sudo alice alice-1 || fail "the on-call responder did not get root"
echo "on call for 42 (alice): root"
refused bob bob-1 "Permission denied" "not on call for 42"
syslog_has 'user=alice email=alice@acme.test role=admin decision=allow source=squadcast reason="on call: Payments primary (team payments)"'
syslog_has 'user=bob email=bob@acme.test role=user decision=deny .*reason="not on call for team payments (schedule 42)'

# --- hand-off: bob in within roster_ttl (+10 s), alice out after roster_ttl
rt_control -X POST -d '{"schedule_id":42,"from":"alice@acme.test","to":"bob@acme.test"}' "$url/_control/oncall/handoff" >/dev/null \
  || fail "hand-off failed"
handoff=$(now)
echo "hand-off of 42 alice -> bob, $(python3 -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$fetched" "$handoff") s after the on-call roster was fetched (roster_ttl=$roster_ttl)"
in_after=""
for try in $(seq 16); do
  if try_sudo bob "bob-poll"; then in_after=$(since "$handoff"); break; fi
  grep -q "PAM account management error: Permission denied" "$work/sudo-bob-poll.out" || fail "bob's refusal while polling was not the account stack's"
  [ "$try" = 16 ] || sleep 1
done
[ -n "$in_after" ] || fail "the new responder did not get root within 15 s of the hand-off"
echo "after the hand-off, the new responder (bob): root after ${in_after} s ($try tries, one a second)"
HANDOFF_SECONDS=$in_after
syslog_has 'user=bob email=bob@acme.test role=user decision=allow source=squadcast reason="on call: Payments primary (team payments)"'
python3 -c 'import sys, time; time.sleep(max(0.0, float(sys.argv[1]) + int(sys.argv[2]) + 1 - time.time()))' "$handoff" "$roster_ttl"
refused alice alice-2 "Permission denied" "$(since "$handoff") s after the hand-off (past roster_ttl)"
syslog_has 'user=alice email=alice@acme.test role=admin decision=deny .*reason="not on call for team payments (schedule 42)'

# --- the host credential revoked, Squadcast up: everyone but break glass out
rt_control -X POST -d '{"token_id":"tok-host-1"}' "$url/_control/revoke" >/dev/null || fail "could not revoke tok-host-1"
revoked=$(now)
sleep $(( roster_ttl + 1 ))  # the rosters in cache_dir are good for roster_ttl
refused bob bob-revoked "Error in service module" "host credential revoked, $(since "$revoked") s later"
refused alice alice-revoked "Error in service module" "host credential revoked"
syslog_has 'host credential revoked or invalid: enrol a new one with squadcast-pam-check --enroll'
breakglass breakglass-revoked "host credential revoked"

rt_only_spent tok-host-1

# --- break glass: Squadcast gone
rt_stop_emulator
breakglass breakglass-down "emulator killed"
if try_sudo bob bob-down; then fail "bob got root with Squadcast down"; fi
grep -q "Authentication service cannot retrieve authentication info" "$work/sudo-bob-down.out" \
  || fail "bob was refused with Squadcast down, but not with PAM_AUTHINFO_UNAVAIL"
echo "emulator killed: bob refused with PAM_AUTHINFO_UNAVAIL: $(tr "\n" " " <"$work/sudo-bob-down.out")"

# --- no person's token kept or logged
rt_no_token_in "$secrets/persons" "a file on the host" /etc "$work/home" "$work/cache" "$work/etc-squadcast"
[ "$(stat -c %a "$work/cache")" = 700 ] || fail "cache_dir is not 0700"
bad=$(find "$work/cache" -type f ! -perm 600 | head -n 3)
[ -z "$bad" ] || fail "cache files not 0600: $bad"
rt_no_token_in "$secrets/all" "a log or sudo's output" "$work"/sudo-*.out "$work/emu.log" "$work/emu.out" \
  "$work/syslog.log"
echo "alice's and bob's tokens: in no file under /etc, the homes or cache_dir; no token in sudo's output, the module's syslog or the emulator log"
echo "module syslog (captured on /dev/log in the namespace's own /dev):"
grep -o "account: user=.*" "$work/syslog.log" | sed 's/^/  /'
echo "PASS: real sudo + directory mode require_oncall=payments/42: responder in, bob in ${HANDOFF_SECONDS} s after the hand-off, alice out after roster_ttl, revoked host credential refuses all but break glass, break glass with Squadcast down"
