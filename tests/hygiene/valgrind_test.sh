#!/usr/bin/env bash
# valgrind memcheck over the helper's main paths and the PAM flows: no errors, nothing
# definitely or indirectly lost. In a sanitizer build (SQUADCAST_SANITIZED=1) the same
# flows run under ASan/UBSan/LeakSanitizer instead (valgrind cannot run ASan binaries);
# the PAM half uses libpam's pam_start_confdir, not pam_wrapper (whose RTLD_DEEPBIND
# dlopen the ASan runtime refuses).
#   valgrind_test.sh HELPER EMULATOR SEED PAM_MODULE PAM_BENCH
helper=$1 emulator=$2 seed=$3 module=$(realpath "$4") pam_bench=$5
checker=valgrind
if [ -n "${SQUADCAST_SANITIZED:-}" ]; then
  checker=sanitizers
  export ASAN_OPTIONS=exitcode=42:detect_leaks=1:verify_asan_link_order=0 UBSAN_OPTIONS=halt_on_error=1:exitcode=42:print_stacktrace=1
  export NSS_WRAPPER_DISABLE_DEEPBIND=1
else
  command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
fi
ldconfig -p | grep -q libnss_wrapper.so || { echo "SKIP: libnss_wrapper.so is not installed"; exit 77; }
. "$(dirname "$0")/common.sh"

vg_status=0
vg() {  # EXPECTED_EXIT NAME COMMAND... ; valgrind errors exit 42
  local expected=$1 name=$2; shift 2
  local rc=0
  if [ "$checker" = sanitizers ]; then
    "$@" >/dev/null 2>>"$work/stderr" || rc=$?
    [ "$rc" -eq 42 ] && tail -40 "$work/stderr" >"$work/vg-report.log"
  else
  valgrind --quiet --error-exitcode=42 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --log-file="$work/vg-%p.log" "$@" >/dev/null 2>>"$work/stderr" || rc=$?
  fi
  if [ "$rc" -eq 42 ]; then
    echo "FAIL: $checker found errors in: $name"; cat "$work"/vg-*.log; vg_status=1
  elif [ "$rc" -ne "$expected" ]; then
    echo "FAIL: $name exited $rc, expected $expected"; vg_status=1
  else
    echo "ok: $name"
  fi
  rm -f "$work"/vg-*.log
}

admin=$(token_file tok-admin)
vg 0 "login --stdin" "$helper" login --stdin <"$admin"
vg 0 "git get (cache hit)" "$helper" git get <"$work/git-request"
rm -f "$XDG_CACHE_HOME"/squadcast/*.json
vg 0 "git get (cold: exchange + user lookup)" "$helper" git get <"$work/git-request"
vg 0 "status --json" "$helper" status --json
echo '{"ServerURL":"'"$url"'"}' >"$work/docker-request"; printf '%s' "$url" >"$work/docker-request"
vg 0 "docker get" "$helper" docker get <"$work/docker-request"
control -X POST -d '{"token_id":"tok-admin"}' "$url/_control/revoke" >/dev/null
rm -f "$XDG_CACHE_HOME"/squadcast/*.json
vg 2 "token after revocation (exit 2)" "$helper" token
vg 0 "logout" "$helper" logout

# PAM: the real libpam with a private service directory (pam_start_confdir), nss_wrapper users.
control -X POST -d '{}' "$url/_control/reset" >/dev/null
mkdir -m 700 "$work/services"
printf 'alice:x:%s:%s::/nonexistent:/bin/sh\nbob:x:%s:%s::/nonexistent:/bin/sh\n' \
  "$(id -u)" "$(id -g)" "$(id -u)" "$(id -g)" >"$work/passwd"
printf 'alice:x:%s:\n' "$(id -g)" >"$work/group"
echo "auth required $module org_id=5e8edb1f7e6f7d0001a1c0de min_role=admin auth_url=$url api_url=$url ca_file=$ca cache_dir=$work/pam-cache" \
  >"$work/services/gate"
echo "auth required pam_deny.so" >"$work/services/other"
pam() {  # EXPECTED_OK NAME USER TOKEN_FILE RUNS  (pam_bench exits 1 unless every run succeeded)
  local expected_exit=1
  [ "$1" -eq "$5" ] && expected_exit=0
  vg "$expected_exit" "$2" env LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD="$work/passwd" NSS_WRAPPER_GROUP="$work/group" \
    "$pam_bench" --confdir "$work/services" --service gate --user "$3" --token-file "$4" --runs "$5"
  grep -q "ok=$1 " <<<"$(env LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD="$work/passwd" NSS_WRAPPER_GROUP="$work/group" \
    "$pam_bench" --confdir "$work/services" --service gate --user "$3" --token-file "$4" --runs "$5" 2>/dev/null) " \
    || { echo "FAIL: $2: expected ok=$1"; vg_status=1; }
}
pam 2 "pam_authenticate: admin allowed, cold then cached" alice "$admin" 2
pam 0 "pam_authenticate: user-role token refused" bob "$(token_file tok-user)" 1
echo garbage >"$work/garbage"
pam 0 "pam_authenticate: garbage refused" alice "$work/garbage" 1

if grep -qF -f "$admin" "$work/stderr"; then echo "FAIL: a token reached stderr"; vg_status=1; fi
[ "$vg_status" -eq 0 ] && echo "PASS: $checker clean on every path"
exit "$vg_status"
