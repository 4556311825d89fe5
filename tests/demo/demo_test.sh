#!/usr/bin/env bash
# The README's front door: ./scripts/demo runs end to end and shows what it promises.
#   demo_test.sh BUILD_DIR
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(SQUADCAST_BUILD_DIR=$1 "$root/scripts/demo" 2>&1)
status=$?
fail=0
expect() {  # DESCRIPTION PATTERN
  if grep -qE -- "$2" <<<"$out"; then echo "ok: $1"; else echo "FAIL: $1 (no /$2/)"; fail=1; fi
}
[ "$status" -eq 0 ] || { echo "FAIL: scripts/demo exited $status"; fail=1; }
expect "login shows who the token belongs to" 'Logged in .* as alice@acme.test \(role admin'
expect "git credential fill answers the email" '^username=alice@acme.test$'
expect "the access token is shown redacted only" '^password=.{8}… \(redacted\)$'
expect "the second get is a cache hit" 'exchanges at the emulator: before=1 after=1'
expect "status says valid" 'state: +valid'
expect "revocation is one clear line" "revoked or is invalid; run 'squadcast-credential login'"
expect "PAM lets the admin in" 'successfully authenticated'
expect "PAM keeps the user-role token out" 'role user is below admin'
expect "directory mode lets the responder in" 'account: user=alice email=alice@acme.test role=admin decision=allow source=squadcast reason="on call: Payments primary'
expect "directory mode keeps others out" 'account: user=bob .*decision=deny .*not on call for team payments'
expect "directory mode reuses the roster" 'decision=allow source=roster-cache'
expect "directory mode spends no person's token" 'with the host.s token, 0 with anyone else.s'
if grep -qE 'eyJ[A-Za-z0-9_-]{20,}' <<<"$out"; then echo "FAIL: an access token was printed"; fail=1; fi
[ "$fail" -eq 0 ] && echo "PASS: the demo works for a newcomer"
exit "$fail"
