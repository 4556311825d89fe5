# shellcheck shell=bash
# Shared by the root-only shell tests of pam_squadcast.so (sourced, bash). Each helper
# records what it started in rt_* variables; a test's cleanup calls rt_cleanup.
#   rt_require_root_and TOOL...  SKIP (exit 77) unless root, not a sanitizer build, tools present
#   rt_start_emulator EMULATOR SEED WORK  the emulator (lives while fd 9 is open): sets url, ca
#   rt_control ARGS...           curl to the emulator (its own CA)
#   rt_token_to_file ID FILE     a token from the control API into a 0600 file, never argv
#   rt_capture_syslog OUT        the module's syslog lines into OUT, on a /dev/log of our own
#                                when there is none (else nothing is captured)
#   rt_syslog_intact             true while /dev/log is still ours (another test may remove it)
#   rt_private_dev WORK          inside a private mount namespace: a /dev of its own, binding
#                                the system's devices, so rt_capture_syslog never touches the
#                                host's /dev
#   rt_only_spent TOKEN_ID       fails unless TOKEN_ID is the only token the emulator saw spent
#   rt_no_token_in PATTERNS WHAT PATH...  fails if any token of the pattern file (one a line)
#                                is in a file under PATH (recursively; devices, FIFOs and
#                                sockets skipped)
#   rt_cleanup                   stops what the helpers started (idempotent)
#   rt_recipe_pam MODULE CONF OUT DOC MARKER [SED-EXPR...]
#                                the PAM recipe of DOC (README.md, docs/X.md) marked MARKER
#                                ("pam SERVICE before|after|replace ..."), verbatim but for
#                                pam_squadcast.so -> MODULE, config=/etc/squadcast/pam.conf ->
#                                config=CONF and the test's own SED-EXPRs, placed as the marker
#                                says in a copy of the stock /etc/pam.d/SERVICE: into OUT
#                                (tests/docs/recipe_block.sh, as tests/docs/recipes_test.sh does)
#   rt_recipe_sshd DOC NTH DIR CONFIG  the NTH sshd drop-in of DOC as DIR/squadcast.conf, and the
#                                stock /etc/ssh/sshd_config with its Include pointed at DIR into
#                                CONFIG (a test adds its private port, host key... as DIR/zz-*.conf)
# A test defines fail() before calling these.

rt_emu_pid="" rt_syslog_pid="" rt_made_dev_log=0
rt_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/docs/recipe_block.sh
. "$rt_src/tests/docs/recipe_block.sh"

rt_recipe_pam() {  # module conf out doc marker [sed-expression...]
  local module=$1 conf=$2 out=$3 doc=$4 marker=$5 what service how anchor e tmp
  shift 5
  read -r what service how anchor <<<"$marker"
  [ "$what" = pam ] || fail "rt_recipe_pam: '$marker' is not a PAM recipe"
  tmp=$(mktemp -d /tmp/squadcast-recipe-XXXXXX)
  recipe_block "$rt_src" "$doc" "$marker" >"$tmp/recipe" || { rm -rf "$tmp"; fail "no recipe '$marker' in $doc"; }
  local args=(-e "s#pam_squadcast\\.so#$module#g" -e "s#config=/etc/squadcast/pam.conf#config=$conf#g")
  for e in "$@"; do args+=(-e "$e"); done
  sed "${args[@]}" "$tmp/recipe" >"$tmp/block"
  recipe_pam_service "/etc/pam.d/$service" "$how" "$anchor" "$tmp/block" >"$tmp/service" ||
    { rm -rf "$tmp"; fail "could not place $doc's '$marker' in /etc/pam.d/$service"; }
  echo "$doc's '$marker', as used:"
  sed 's/^/  | /' "$tmp/block"
  cat "$tmp/service" >"$out"
  rm -rf "$tmp"
}

rt_recipe_sshd() {  # doc nth dir config
  mkdir -p "$3"
  recipe_block "$rt_src" "$1" sshd "$2" >"$3/squadcast.conf" || fail "no sshd recipe #$2 in $1"
  recipe_sshd_config /etc/ssh/sshd_config "$3" >"$4" || fail "the host's sshd_config is not Debian's stock file"
  echo "$1's sshd drop-in #$2, as used:"
  sed 's/^/  | /' "$3/squadcast.conf"
}

rt_require_root_and() {
  if [ -n "${SQUADCAST_SANITIZED:-}" ]; then
    echo "SKIP: this is a sanitizer build; the system's binaries cannot load ASan-instrumented code"; exit 77
  fi
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
  done
}

rt_start_emulator() {  # emulator seed work
  mkfifo "$3/emu.stdin"
  "$1" --seed "$2" --state-dir "$3/emu" --exit-on-stdin-eof <"$3/emu.stdin" >"$3/emu.out" 2>"$3/emu.log" &
  rt_emu_pid=$!
  exec 9>"$3/emu.stdin"
  local _
  for _ in $(seq 100); do [ -s "$3/emu/url" ] && break; sleep 0.1; done
  [ -s "$3/emu/url" ] || fail "the emulator did not start"
  url=$(cat "$3/emu/url") ca=$3/emu/ca.pem
}

rt_stop_emulator() {  # kill it: Squadcast is gone
  exec 9>&- 2>/dev/null
  if [ -n "$rt_emu_pid" ]; then
    kill "$rt_emu_pid" 2>/dev/null
    wait "$rt_emu_pid" 2>/dev/null
  fi
  rt_emu_pid=""
  return 0
}

rt_control() { curl -sf --cacert "$ca" "$@"; }

rt_token_to_file() {  # token-id file
  (umask 077 && rt_control "$url/_control/token?token_id=$1" \
     | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$2") || true
  [ -s "$2" ] || fail "no token for $1 from the emulator"
}

# The host's own credential as squadcast-pam-check --enroll leaves it (WORK/etc-squadcast/
# host-token), alice's and bob's tokens only so that they can be looked for: SECRETS/persons
# holds theirs and SECRETS/all the host's too (each in full and its first 8 characters).
rt_host_and_person_tokens() {  # work secrets
  mkdir -m 700 "$1/etc-squadcast"
  rt_token_to_file tok-host-1 "$1/etc-squadcast/host-token"
  rt_token_to_file tok-admin "$2/alice"
  rt_token_to_file tok-user "$2/bob"
  local who tok
  for who in alice bob; do tok=$(cat "$2/$who"); printf '%s\n%s\n' "$tok" "${tok:0:8}"; done >"$2/persons"
  tok=$(cat "$1/etc-squadcast/host-token")
  { cat "$2/persons"; printf '%s\n%s\n' "$tok" "${tok:0:8}"; } >"$2/all"
  chmod 600 "$2"/*
}

rt_capture_syslog() {  # out-file
  # The system's /dev/log is not ours to read from: then the module's lines go there.
  [ -e /dev/log ] && return 0
  python3 - "$1" "$1.ready" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")  # fails if another test made one meanwhile: then that one is theirs
os.chmod("/dev/log", 0o666)
open(sys.argv[2], "w").write(str(os.stat("/dev/log").st_ino))
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
PY
  rt_syslog_pid=$!
  local _
  for _ in $(seq 50); do
    [ -s "$1.ready" ] && break
    kill -0 "$rt_syslog_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -s "$1.ready" ]; then
    rt_made_dev_log=$(cat "$1.ready")  # the inode of our socket
  else
    kill "$rt_syslog_pid" 2>/dev/null; wait "$rt_syslog_pid" 2>/dev/null; rt_syslog_pid=""
    echo "note: another test made /dev/log meanwhile; the module's lines go there"
  fi
  return 0
}

rt_syslog_intact() {  # 0 while /dev/log is still the socket rt_capture_syslog made
  [ "$rt_made_dev_log" != 0 ] && [ -S /dev/log ] && [ "$(stat -c %i /dev/log)" = "$rt_made_dev_log" ]
}

rt_private_dev() {  # work-dir: this mount namespace gets a /dev of its own (no /dev/log in it)
  [ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] || fail "rt_private_dev outside a mount namespace of our own"
  local dev=$1/dev e name
  mkdir -m 755 "$dev"
  mount -t tmpfs -o mode=755,size=1m squadcast-test-dev "$dev" || fail "no tmpfs for /dev"
  for e in /dev/* /dev/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    name=${e#/dev/}
    if [ -L "$e" ]; then cp -P "$e" "$dev/$name" || fail "private /dev: $e"
    elif [ -d "$e" ]; then { mkdir "$dev/$name" && mount --rbind "$e" "$dev/$name"; } || fail "private /dev: $e"
    elif [ -c "$e" ] || [ -b "$e" ]; then { : >"$dev/$name" && mount --bind "$e" "$dev/$name"; } || fail "private /dev: $e"
    fi  # sockets (the system's /dev/log), FIFOs and plain files are left out
  done
  mount --move "$dev" /dev || fail "could not move the private /dev into place"
}

rt_only_spent() {  # token-id
  rt_control "$url/_control/token_counters" | python3 -c '
import json, sys
c, mine = json.load(sys.stdin), sys.argv[1]
spent = {k: v for k, v in c.items() if v and k != mine}
if spent or not c.get(mine):
    sys.exit("token counters: %s" % c)
print("token counters: only %s was spent (%d requests)" % (mine, c[mine]))' "$1" || fail "a token other than $1 was used"
}

rt_no_token_in() {  # pattern-file what path...
  local patterns=$1 what=$2; shift 2
  local hits
  hits=$(grep -rlsF -D skip -f "$patterns" "$@" || true)
  [ -z "$hits" ] || fail "a person's token is in $what: $(echo "$hits" | tr '\n' ' ')"
}

rt_cleanup() {
  rt_stop_emulator
  if [ -n "$rt_syslog_pid" ]; then
    kill "$rt_syslog_pid" 2>/dev/null
    wait "$rt_syslog_pid" 2>/dev/null
  fi
  rt_syslog_pid=""
  rt_syslog_intact && rm -f /dev/log  # ours only: never another test's
  rt_made_dev_log=0
  return 0
}
