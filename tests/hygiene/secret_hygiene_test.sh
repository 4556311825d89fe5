#!/usr/bin/env bash
# Secret hygiene of the helper, tested from outside:
#  - tokens appear on stdout only where they are the requested output, never on stderr;
#  - the helper starts no other program (so no token can reach anyone's argv or environment);
#  - no core dumps: RLIMIT_CORE is 0 and the process is not dumpable (other processes of the
#    same user cannot read its memory or environment through /proc).
#   secret_hygiene_test.sh HELPER EMULATOR SEED [PAM_CHECK PAM_MODULE]
helper=$1 emulator=$2 seed=$3 pam_check=${4:-} pam_module=${5:-}
. "$(dirname "$0")/common.sh"

admin=$(token_file tok-admin)
run() {  # NAME STDIN COMMAND... : stdout and stderr into $work/out, $work/err
  local name=$1 input=$2; shift 2
  "$@" <"$input" >"$work/out" 2>"$work/err" || true
  grep -qF -f "$admin" "$work/err" && fail "$name: the refresh token reached stderr"
  grep -q 'eyJ' "$work/err" && fail "$name: an access token reached stderr"
  return 0
}

run "login" "$admin" "$helper" login --stdin
grep -qF -f "$admin" "$work/out" && fail "login printed the refresh token"
grep -q 'eyJ' "$work/out" && fail "login printed the access token"
run "status" /dev/null "$helper" status
grep -q 'eyJ' "$work/out" && fail "status printed the access token"
run "status --json" /dev/null "$helper" status --json
grep -q 'eyJ' "$work/out" && fail "status --json printed the access token"
run "doctor" /dev/null "$helper" doctor
grep -qF -f "$admin" "$work/out" && fail "doctor printed the refresh token"
grep -q 'eyJ' "$work/out" && fail "doctor printed the access token"
grep -qE '^ok +token ' "$work/out" || fail "doctor did not check the token"
run "doctor --json" /dev/null "$helper" doctor --json
grep -qF -f "$admin" "$work/out" && fail "doctor --json printed the refresh token"
grep -q 'eyJ' "$work/out" && fail "doctor --json printed the access token"
run "token" /dev/null "$helper" token
grep -q '^eyJ' "$work/out" || fail "token did not print the access token it was asked for"
run "git get" "$work/git-request" "$helper" git get
grep -q '^password=eyJ' "$work/out" || fail "git get did not answer the password"
grep -qF -f "$admin" "$work/out" && fail "git get printed the refresh token"
if [ -n "$pam_check" ] && [ "$(id -u)" -eq 0 ]; then
  for args in "" "--json"; do
    # shellcheck disable=SC2086 # $args is one optional word
    run "squadcast-pam-check --user $args" "$admin" "$pam_check" $args --user root --module "$pam_module" \
      org_id=5e8edb1f7e6f7d0001a1c0de "auth_url=$url" "api_url=$url" "ca_file=$ca" "cache_dir=$work/pam-cache" debug
    grep -q 'decision=' "$work/out" || { cat "$work/out"; fail "squadcast-pam-check showed no decision"; }
    grep -qF -f "$admin" "$work/out" && fail "squadcast-pam-check printed the refresh token"
    grep -q 'eyJ' "$work/out" && fail "squadcast-pam-check printed an access token"
  done
else
  echo "SKIP (part): squadcast-pam-check is root only"
fi
echo "ok: tokens only where requested"

if command -v strace >/dev/null; then
  rm -f "$XDG_CACHE_HOME"/squadcast/*.json
  ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=execve,execveat -o "$work/exec.trace" "$helper" git get <"$work/git-request" >/dev/null
  execs=$(grep -c 'execve' "$work/exec.trace")
  [ "$execs" -eq 1 ] || { cat "$work/exec.trace"; fail "the helper started $((execs - 1)) other program(s)"; }
  echo "ok: a cold get starts no other program"
else
  echo "SKIP (part): strace is not installed; not checking that no program is started"
fi

# A helper blocked reading a token on stdin, inspected from outside.
mkfifo "$work/login-stdin"
"$helper" login --stdin <"$work/login-stdin" >/dev/null 2>&1 &
login_pid=$!
exec 9>"$work/login-stdin"
for _ in $(seq 100); do grep -q '^State:.*S' "/proc/$login_pid/status" 2>/dev/null && break; sleep 0.02; done
# The soft limit (what the kernel applies); the hard one stays so exec can restore the caller's.
grep -E '^Max core file size +0 ' "/proc/$login_pid/limits" >/dev/null || { cat "/proc/$login_pid/limits"; fail "core dumps are not disabled"; }
echo "ok: RLIMIT_CORE is 0"
exec 9>&-
wait "$login_pid" 2>/dev/null || true

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  nobody_home=$work/nobody-home
  mkdir -m 700 "$nobody_home" && chown 65534:65534 "$nobody_home"
  mkfifo "$work/nobody-stdin" && chmod 666 "$work/nobody-stdin"
  HOME=$nobody_home XDG_CONFIG_HOME=$nobody_home/.config XDG_CACHE_HOME=$nobody_home/.cache \
    "${as_nobody[@]}" "$helper" login --stdin <"$work/nobody-stdin" >/dev/null 2>&1 &
  helper_pid=$!
  exec 9>"$work/nobody-stdin"
  "${as_nobody[@]}" sleep 30 &
  control_pid=$!
  sleep 0.3
  # The control proves the probe can succeed: same user, dumpable process.
  "${as_nobody[@]}" cat "/proc/$control_pid/environ" >/dev/null 2>&1 || fail "control: cannot read a dumpable process's environ"
  if "${as_nobody[@]}" cat "/proc/$helper_pid/environ" >/dev/null 2>&1; then
    fail "another process of the same user can read the helper's environment: it is dumpable"
  fi
  echo "ok: the helper is not dumpable (same-user /proc access refused)"
  kill "$control_pid" 2>/dev/null || true
  exec 9>&-
  wait "$helper_pid" 2>/dev/null || true
else
  echo "SKIP (part): the not-dumpable check needs root and setpriv to act as another user"
fi
echo "PASS: secret hygiene"
