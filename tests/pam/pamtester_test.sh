#!/bin/sh
# pam_squadcast.so through the system's own libpam and /etc/pam.d (root only): pamtester
# authenticates an admin and refuses a user-role token. Local users come from nss_wrapper.
# Usage: pamtester_test.sh MODULE EMULATOR SEED NSS_WRAPPER_LIB
if [ -n "${SQUADCAST_SANITIZED:-}" ]; then echo "SKIP: this is a sanitizer build; the system's binaries cannot load ASan-instrumented code"; exit 77; fi
set -eu
module=$1 emulator=$2 seed=$3 nss_wrapper=$4

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to write /etc/pam.d"; exit 77; }
command -v pamtester >/dev/null || { echo "SKIP: pamtester not installed"; exit 77; }

work=$(mktemp -d /tmp/squadcast-pamtester-XXXXXX)
service=squadcast-test-$$
cleanup() {
  rm -f "/etc/pam.d/$service"
  [ -n "${emu_pid:-}" ] && kill "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkfifo "$work/stdin"
"$emulator" --seed "$seed" --state-dir "$work/emu" --exit-on-stdin-eof <"$work/stdin" >"$work/emu.log" 2>&1 &
emu_pid=$!
exec 9>"$work/stdin"  # the emulator lives while this descriptor is open
for _ in $(seq 50); do [ -s "$work/emu/url" ] && break; sleep 0.1; done
url=$(cat "$work/emu/url")
token() { curl -sf --cacert "$work/emu/ca.pem" "$url/_control/token?token_id=$1" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }

printf 'alice:x:20001:20001::/nonexistent:/bin/sh\nbob:x:20002:20002::/nonexistent:/bin/sh\n' >"$work/passwd"
printf 'alice:x:20001:\nbob:x:20002:\n' >"$work/group"
cat >"/etc/pam.d/$service" <<PAM
auth    required $module org_id=5e8edb1f7e6f7d0001a1c0de min_role=admin auth_url=$url api_url=$url ca_file=$work/emu/ca.pem cache_dir=$work/cache
account required $module org_id=5e8edb1f7e6f7d0001a1c0de min_role=admin auth_url=$url api_url=$url ca_file=$work/emu/ca.pem cache_dir=$work/cache
PAM

run() {  # user token -> pamtester's exit status
  token "$2" | LD_PRELOAD=$nss_wrapper NSS_WRAPPER_PASSWD=$work/passwd NSS_WRAPPER_GROUP=$work/group \
    pamtester "$service" "$1" authenticate acct_mgmt >"$work/out" 2>&1
}
run alice tok-admin || { cat "$work/out"; echo "FAIL: admin refused"; exit 1; }
if run bob tok-user; then cat "$work/out"; echo "FAIL: user-role token allowed"; exit 1; fi
grep -q "Authentication failure\|Permission denied" "$work/out" || { cat "$work/out"; echo "FAIL: unexpected refusal"; exit 1; }
echo "pamtester: admin allowed, user-role token refused"
