#!/bin/sh
# pam_squadcast.so inside the real setuid su, driven by a second, unprivileged user: the
# attacker of docs/pam-threat-model.md. Root only (exit 77 = SKIP otherwise).
#
# Everything happens in a private mount namespace: scratch copies of /etc/passwd,
# /etc/group, /etc/shadow (plus the users alice and mallory) and a scratch /etc/pam.d/su
# are bind-mounted over the real ones, so the host's files are never touched and vanish
# with the namespace. mallory runs `su -c id alice`:
#   control    alice's valid admin token        -> su runs id as alice
#   keylog     SSLKEYLOGFILE=<root-only path>   -> the file is never created (root would
#              with a garbage token                create it for mallory: a path to root)
#   proxy      *_proxy/ALL_PROXY at a dead port,  -> still refused: the module ignores the
#              revoked token, offline_grace=600     variables and hears Squadcast's 401
# Usage: su_setuid_test.sh MODULE EMULATOR SEED
if [ -n "${SQUADCAST_SANITIZED:-}" ]; then echo "SKIP: this is a sanitizer build; the system's su cannot load ASan-instrumented code"; exit 77; fi
set -eu

if [ "${1:-}" != --in-namespace ]; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a private mount namespace and bind mounts over /etc)"; exit 77; }
  for tool in su unshare setpriv curl mount; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
  done
  [ -u "$(command -v su)" ] || { echo "SKIP: su is not setuid root"; exit 77; }
  unshare -m true 2>/dev/null || { echo "SKIP: cannot create a mount namespace here"; exit 77; }
  exec unshare -m --propagation private sh "$0" --in-namespace "$@"
fi
shift
module=$(realpath "$1") emulator=$(realpath "$2") seed=$(realpath "$3")
org=5e8edb1f7e6f7d0001a1c0de
alice_uid=20901 mallory_uid=20902

work=$(mktemp -d /tmp/squadcast-su-XXXXXX)
chmod 755 "$work"  # su's child (alice) only needs to pass through
emu_pid=""
cleanup() {
  set +e
  exec 9>&- 2>/dev/null
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; [ -s "$work/su.out" ] && { echo "--- su output"; cat "$work/su.out"; }; exit 1; }

# --- the emulator (lives while fd 9 is open)
mkfifo "$work/emu.stdin"
"$emulator" --seed "$seed" --state-dir "$work/emu" --exit-on-stdin-eof <"$work/emu.stdin" >"$work/emu.out" 2>"$work/emu.log" &
emu_pid=$!
exec 9>"$work/emu.stdin"
for _ in $(seq 100); do [ -s "$work/emu/url" ] && break; sleep 0.1; done
url=$(cat "$work/emu/url")
ca=$work/emu/ca.pem
control() { curl -sf --cacert "$ca" "$@"; }
token() { control "$url/_control/token?token_id=$1" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
exchanges() { control "$url/_control/counters" | sed 's/.*"exchange":\([0-9]*\).*/\1/'; }

# --- scratch users, bind-mounted over the real files (this namespace only)
mkdir -p "$work/etc" "$work/home/alice" "$work/home/mallory" "$work/private"
chmod 700 "$work/private"  # root's: mallory cannot create anything in it herself
grep -v '^\(alice\|mallory\):' /etc/passwd >"$work/etc/passwd"
grep -v '^\(alice\|mallory\):' /etc/group >"$work/etc/group"
grep -v '^\(alice\|mallory\):' /etc/shadow >"$work/etc/shadow"
printf 'alice:x:%s:%s::%s:/bin/sh\nmallory:x:%s:%s::%s:/bin/sh\n' "$alice_uid" "$alice_uid" "$work/home/alice" \
  "$mallory_uid" "$mallory_uid" "$work/home/mallory" >>"$work/etc/passwd"
printf 'alice:x:%s:\nmallory:x:%s:\n' "$alice_uid" "$mallory_uid" >>"$work/etc/group"
printf 'alice:*:19000:0:99999:7:::\nmallory:*:19000:0:99999:7:::\n' >>"$work/etc/shadow"
chmod 644 "$work/etc/passwd" "$work/etc/group"
chmod 640 "$work/etc/shadow"
chown "$alice_uid:$alice_uid" "$work/home/alice"
chown "$mallory_uid:$mallory_uid" "$work/home/mallory"
chmod 700 "$work/home/alice" "$work/home/mallory"
for f in passwd group shadow; do mount --bind "$work/etc/$f" "/etc/$f"; done
touch "$work/etc/su.pam"
mount --bind "$work/etc/su.pam" /etc/pam.d/su

# The su service: only this module decides; $1 = extra module arguments.
use_service() {
  cat >"$work/etc/su.pam" <<PAM
auth     required $module org_id=$org min_role=admin auth_url=$url api_url=$url ca_file=$ca cache_dir=$work/cache timeout=3 cache_ttl=0 offline_grace=600 $1
account  required pam_permit.so
session  required pam_permit.so
password required pam_deny.so
PAM
}

# mallory, with exactly the environment given, types $1 at su's prompt.
su_as_mallory() {
  answer=$1
  shift
  (cd / && printf '%s\n' "$answer" | setpriv --reuid="$mallory_uid" --regid="$mallory_uid" --clear-groups \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" su -c id alice) >"$work/su.out" 2>&1
}
became_alice() { grep -q "uid=$alice_uid(alice)" "$work/su.out"; }

use_service ""
short=$(token tok-admin-short)

# 1. Control: su works in this set-up and the module can allow (also caches the decision
#    that offline_grace could later fall back on).
su_as_mallory "$short" || fail "control: alice's own admin token was refused"
became_alice || fail "control: su did not run id as alice"
echo "ok: su with alice's admin token runs id as alice"

# 2. SSLKEYLOGFILE names a root-only path: root must not create it, whatever the token.
before=$(exchanges)
if su_as_mallory 0123456789abcdef0123456789abcdef SSLKEYLOGFILE="$work/private/keylog"; then
  fail "keylog: a garbage token was accepted"
fi
[ "$(exchanges)" -gt "$before" ] || fail "keylog: the module never reached Squadcast, so libcurl was not exercised"
[ ! -e "$work/private/keylog" ] || fail "keylog: root created $work/private/keylog for the calling user"
echo "ok: SSLKEYLOGFILE from the caller creates nothing"

# 3. Proxy variables pointing at a dead port must not turn a 401 into "unreachable" and
#    so into an offline_grace allow.
control -X POST -d '{"token_id":"tok-admin-short"}' "$url/_control/revoke" >/dev/null
before=$(exchanges)
dead=http://127.0.0.1:9
if su_as_mallory "$short" https_proxy=$dead HTTPS_PROXY=$dead http_proxy=$dead ALL_PROXY=$dead all_proxy=$dead \
    NO_PROXY= no_proxy=; then
  fail "proxy: a revoked token was allowed (the caller's proxy variables forced the offline grace)"
fi
became_alice && fail "proxy: su ran id as alice"
[ "$(exchanges)" -gt "$before" ] || fail "proxy: the module did not reach Squadcast directly"
echo "ok: the caller's proxy variables change nothing; the revoked token is refused"

# 4. token_source=user_store in auth: alice's stored token must not let mallory in with
#    no secret at all (a configuration error now, whatever the store holds).
mkdir -p "$work/home/alice/.config/squadcast"
printf '{"version":1,"profiles":{"default":{"refresh_token":"%s","email":"alice@acme.test","auth_url":"","stored_at":0}}}\n' \
  "$(token tok-admin)" >"$work/home/alice/.config/squadcast/credentials"
chown -R "$alice_uid:$alice_uid" "$work/home/alice/.config"
chmod 700 "$work/home/alice/.config" "$work/home/alice/.config/squadcast"
chmod 600 "$work/home/alice/.config/squadcast/credentials"
use_service "token_source=user_store"
if su_as_mallory x; then fail "user_store: mallory became alice by typing x"; fi
became_alice && fail "user_store: su ran id as alice"
echo "ok: token_source=user_store cannot authenticate (echo x | su -c id alice fails)"

echo "su (setuid) as another user: all checks passed"
