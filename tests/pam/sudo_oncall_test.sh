#!/usr/bin/env bash
# A real sudo with pam_squadcast.so require_oncall= in its account stack, and the
# break-glass recipe of docs/teams-and-oncall.md (root only; exit 77 = SKIP otherwise).
# /etc/pam.d/sudo is that recipe as written (tests/docs/recipe_block.sh), but for the
# module's path, config= (a scratch pam.conf), the break-glass account's name and one
# schedule (require_oncall=payments/42): a broken recipe fails this test.
#
# Everything happens in a private mount namespace (unshare -m): scratch copies of
# /etc/passwd, /etc/group, /etc/shadow, /etc/sudoers and /etc/pam.d/sudo are bind-mounted
# over the real ones there, so the host's users, sudoers and PAM configuration are never
# touched, and vanish with the namespace.
#   sqoc-alice (on call for Payments primary) -> sudo gives root
#   sqoc-bob   (not on call)                  -> refused
#   hand-off of schedule 42 alice -> bob      -> bob at once; alice refused after oncall_ttl
#   emulator down: sqoc-breakglass (pam_unix password) gets root; alice gets
#   PAM_AUTHINFO_UNAVAIL ("Authentication service cannot retrieve authentication info")
# Tokens go from the emulator's control API into 0600 files, never into argv.
# Usage: sudo_oncall_test.sh MODULE EMULATOR SEED
if [ -n "${SQUADCAST_SANITIZED:-}" ]; then echo "SKIP: this is a sanitizer build; sudo cannot load ASan-instrumented code"; exit 77; fi
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a real sudo, in a private mount namespace)"; exit 77; }
for tool in sudo unshare setpriv openssl curl python3 mount; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -f /etc/pam.d/sudo ] && [ -f /etc/sudoers ] || { echo "SKIP: no /etc/pam.d/sudo or /etc/sudoers to stand in for"; exit 77; }
if [ -z "${SQOC_IN_NAMESPACE:-}" ]; then
  unshare -m true 2>/dev/null || { echo "SKIP: cannot create a mount namespace here"; exit 77; }
  exec unshare -m --propagation private env SQOC_IN_NAMESPACE=1 bash "$0" "$@"
fi

module=$(realpath "$1") emulator=$(realpath "$2") seed=$(realpath "$3")
org=5e8edb1f7e6f7d0001a1c0de
work=$(mktemp -d /tmp/squadcast-sudo-XXXXXX)
chmod 755 "$work"
emu_pid=""
cleanup() {
  set +e
  exec 9>&- 2>/dev/null
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/sudo-*.out "$work/syslog.log"; do [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
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
control() { curl -sf --cacert "$ca" "$@"; }

# --- users, in scratch copies of the account files (this namespace only)
uid_base=$(( 42000 + $$ % 1000 ))
cp /etc/passwd "$work/passwd"; cp /etc/group "$work/group"; cp /etc/shadow "$work/shadow"
i=0
for u in sqoc-alice sqoc-bob sqoc-breakglass; do
  uid=$(( uid_base + i )); i=$(( i + 1 ))
  mkdir -p -m 700 "$work/home/$u/.config/squadcast"
  chown -R "$uid:$uid" "$work/home/$u"
  echo "$u:x:$uid:$uid:squadcast sudo_oncall_test:$work/home/$u:/bin/sh" >>"$work/passwd"
  echo "$u:x:$uid:" >>"$work/group"
  echo "$u:!:19000:0:99999:7:::" >>"$work/shadow"
done
chmod 755 "$work/home"
breakglass_password=$(openssl rand -hex 12)
hash=$(printf '%s' "$breakglass_password" | openssl passwd -6 -stdin)
sed -i "s|^sqoc-breakglass:!:|sqoc-breakglass:$hash:|" "$work/shadow"
chmod 640 "$work/shadow"

store_token() {  # token id -> the user's own credentials file (0600, owned by the user)
  local file=$work/home/$2/.config/squadcast/credentials
  control "$url/_control/token?token_id=$1" | python3 -c '
import json, sys
token = json.load(sys.stdin)["token"]
print(json.dumps({"version": 1, "profiles": {"default": {"refresh_token": token, "email": sys.argv[1],
      "auth_url": "", "stored_at": 0}}}))' "$3" >"$file"
  chmod 600 "$file"; chown "$2:$2" "$file"
}

printf 'alice@acme.test sqoc-alice\nbob@acme.test sqoc-bob\n' >"$work/user_map"
chmod 644 "$work/user_map"
cat >"$work/sudoers" <<SUDOERS
Defaults !lecture, !fqdn, !syslog, env_reset
root ALL=(ALL:ALL) ALL
sqoc-alice, sqoc-bob ALL=(root) NOPASSWD: ALL
sqoc-breakglass ALL=(root) ALL
SUDOERS
chmod 440 "$work/sudoers"
# The break-glass recipe of docs/teams-and-oncall.md (the whole /etc/pam.d/sudo) as written,
# but for the module's path, config= (a scratch pam.conf: org_id, the emulator, this test's
# user_map, oncall_ttl=3), the break-glass account's name and one schedule of the team
# (require_oncall=payments/42, as the page says for one schedule: the seed has alice on call
# for two schedules of payments and bob's squad for a third).
cat >"$work/pam.conf" <<CONF
org_id = $org
auth_url = $url
api_url = $url
ca_file = $ca
cache_dir = $work/cache
user_map = file:$work/user_map
timeout = 5
oncall_ttl = 3
CONF
chmod 600 "$work/pam.conf"
. "$(dirname "$0")/root_test_lib.sh"
rt_recipe_pam "$module" "$work/pam.conf" "$work/pam.d-sudo" docs/teams-and-oncall.md "pam sudo replace" \
  "s#user = breakglass\$#user = sqoc-breakglass#" "s#require_oncall=payments\$#require_oncall=payments/42#"
grep -q "user = sqoc-breakglass" "$work/pam.d-sudo" && grep -q "require_oncall=payments/42" "$work/pam.d-sudo" ||
  fail "the recipe no longer has 'user = breakglass' or 'require_oncall=payments' at a line's end"
for f in passwd group shadow sudoers; do mount --bind "$work/$f" "/etc/$f"; done
mount --bind "$work/pam.d-sudo" /etc/pam.d/sudo
# nscd would answer from the host's view of the users
export NSS_NSCD_DISABLED=1

store_token tok-admin sqoc-alice alice@acme.test
store_token tok-user sqoc-bob bob@acme.test

as_user() {  # user command... (a clean environment, the user's uid/gid)
  local u=$1; shift
  local uid gid; uid=$(id -u "$u"); gid=$(id -g "$u")
  setpriv --reuid "$uid" --regid "$gid" --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work/home/$u" "$@"
}
try_sudo() {  # user out-file -> 0 when sudo ran `id -u` as root
  as_user "$1" timeout 30 sudo -n -k id -u >"$work/sudo-$2.out" 2>&1 || return 1
  grep -qx 0 "$work/sudo-$2.out"
}

try_sudo sqoc-alice alice-1 || fail "the on-call responder did not get root"
echo "on call (alice): root"
if try_sudo sqoc-bob bob-1; then fail "bob got root while not on call"; fi
grep -q "PAM account management error: Permission denied" "$work/sudo-bob-1.out" || fail "bob was not refused by the account stack"
echo "not on call (bob): refused: $(tr "\n" " " <"$work/sudo-bob-1.out")"

control -X POST -d '{"schedule_id":42,"from":"alice@acme.test","to":"bob@acme.test"}' "$url/_control/oncall/handoff" >/dev/null \
  || fail "hand-off failed"
try_sudo sqoc-bob bob-2 || fail "the new responder did not get root after the hand-off"
echo "after the hand-off, the new responder (bob): root"
sleep 4  # past oncall_ttl=3
if try_sudo sqoc-alice alice-2; then fail "alice still got root after the hand-off and oncall_ttl"; fi
grep -q "PAM account management error: Permission denied" "$work/sudo-alice-2.out" || fail "alice was not refused by the account stack"
echo "after the hand-off and oncall_ttl (alice): refused: $(tr "\n" " " <"$work/sudo-alice-2.out")"

# --- break glass: Squadcast unreachable
exec 9>&-
wait "$emu_pid" 2>/dev/null || true
emu_pid=""
printf '%s\n' "$breakglass_password" | as_user sqoc-breakglass timeout 30 sudo -S -k -p '' id -u >"$work/sudo-breakglass.out" 2>&1 \
  || fail "the break-glass account did not get root with Squadcast down"
grep -qx 0 "$work/sudo-breakglass.out" || fail "break glass: no root"
echo "Squadcast down, break-glass account (pam_unix): root"
if try_sudo sqoc-bob bob-3; then fail "bob got root with Squadcast down"; fi
grep -q "Authentication service cannot retrieve authentication info" "$work/sudo-bob-3.out" \
  || fail "bob was refused, but not with PAM_AUTHINFO_UNAVAIL"
echo "Squadcast down, Squadcast user (bob): refused with PAM_AUTHINFO_UNAVAIL: $(tr "\n" " " <"$work/sudo-bob-3.out")"

for who in alice bob; do
  tok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profiles"]["default"]["refresh_token"])' \
        "$work/home/sqoc-$who/.config/squadcast/credentials")
  if grep -rqF -e "$tok" -e "${tok:0:8}" "$work"/sudo-*.out "$work/emu.log"; then fail "$who's token leaked into the output"; fi
done
echo "PASS: real sudo + pam_squadcast.so require_oncall: responder in, hand-off honoured within oncall_ttl, break glass works"
