#!/usr/bin/env bash
# The recipes of README.md and docs/*.md as written: every fenced block marked with
# "<!-- recipe: KIND ... -->" on the line before it is extracted verbatim and
#   pam SERVICE before|after LINE  inserted into a copy of Debian's stock /etc/pam.d/SERVICE
#                                  before/after LINE (e.g. "@include common-auth"),
#   pam SERVICE replace            used as the whole /etc/pam.d/SERVICE,
#   sshd                           written as a drop-in to a copy of the stock sshd_config
#                                  (its Include redirected to a scratch directory),
#   sudoers                        written as a sudoers.d file;
# then squadcast-pam-check --service (no failed options or stack row), sshd -t and
# visudo -c must accept each. config=/etc/squadcast/pam.conf is pointed at a scratch copy
# (root's 0600, org_id set): this host has no pam.conf and no route to Squadcast, so the
# rows about this host (connectivity, host credential) are left out.
# Extraction and placement are tests/docs/recipe_block.sh's, shared with the real-login
# tests of tests/pam, which take these recipes from the docs (module path, config= pointed
# at a scratch pam.conf with the emulator, and their own users aside) and log in through them:
#   README.md "pam sshd before @include common-auth" + README's sshd drop-in
#       -> tests/pam/sshd_login_test.sh (a real sshd, keyboard-interactive with the token)
#   docs/teams-and-oncall.md "pam sudo replace" (break glass)
#       -> tests/pam/sudo_oncall_test.sh (a real sudo, require_oncall, break glass)
#   docs/directory-mode.md "pam sshd before @include common-account" + its sshd drop-in
#       -> tests/pam/sshd_directory_test.sh (a real sshd, public keys, token_source=host)
#   docs/directory-mode.md "pam sudo after @include common-account" as the last account line
#   of teams-and-oncall.md's break glass -> tests/pam/sudo_directory_test.sh (a real sudo)
# The other recipes are checked here only.
# Usage: recipes_test.sh SOURCE_DIR SQUADCAST_PAM_CHECK
set -euo pipefail
src=$1 check=$2
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: docs: recipes needs root (squadcast-pam-check and sshd -t are root only); nothing was checked"
  exit 77
fi
for tool in sshd visudo python3; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "SKIP: $tool is not installed"; exit 77; }
done
export PATH=$PATH:/usr/sbin:/sbin
. "$(dirname "$0")/recipe_block.sh"

work=$(mktemp -d /tmp/squadcast-recipes-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
failures=0

# Each recipe: $work/recipes/N.{kind,where,text} (tests/docs/recipe_block.sh).
recipe_extract "$src" "$work/recipes"

# A scratch pam.d: the host's files (Debian's stock ones), each service rebuilt per recipe.
org=5e8edb1f7e6f7d0001a1c0de
(umask 077; printf 'org_id = %s\n' "$org" >"$work/pam.conf")
stock_note() {  # SERVICE: say so when the host's file is not the package's
  local file=/etc/pam.d/$1 sum
  sum=$(dpkg-query -W -f='${Conffiles}\n' 2>/dev/null | awk -v f="$file" '$1 == f { print $2 }' | head -1)
  [ -z "$sum" ] || [ "$(md5sum <"$file" | cut -d' ' -f1)" = "$sum" ] || echo "  note: $file differs from its package's"
}

pam_count=0 sshd_count=0 sudoers_count=0
for kind_file in "$work"/recipes/*.kind; do
  n=${kind_file%.kind}; kind=$(cat "$kind_file"); where=$(cat "$n.where"); text=$n.text
  read -r what rest <<<"$kind"
  case $what in
    pam)
      pam_count=$((pam_count + 1))
      read -r service how anchor <<<"$rest"
      rm -rf "$work/pam.d"; cp -a /etc/pam.d "$work/pam.d"
      stock_note "$service"
      sed "s#config=/etc/squadcast/pam.conf#config=$work/pam.conf#g" "$text" >"$work/block"
      recipe_pam_service "/etc/pam.d/$service" "$how" "$anchor" "$work/block" >"$work/pam.d/$service" ||
        { fail "$where: cannot place the recipe $how '$anchor' in /etc/pam.d/$service"; continue; }
      rc=0
      "$check" --json --service "$service" --pam-dir "$work/pam.d" </dev/null >"$work/out" 2>"$work/err" || rc=$?
      if ! python3 - "$work/out" "$where" <<'PY'; then
import json, sys
report = json.load(open(sys.argv[1]))
# Rows about the recipe; connectivity and the host credential are about this host.
bad = [c for c in report["checks"] if c["status"] == "fail"
       and (c["name"].startswith("stack") or c["name"] in ("options", "config file", "config"))]
for c in bad:
    print(f"  {c['name']}: {c['detail']} (fix: {c['fix']})")
rows = [c["name"] for c in report["checks"]]
if not any(r.startswith("stack") for r in rows):
    print("  no stack rows")
    sys.exit(1)
sys.exit(1 if bad else 0)
PY
        cat "$work/err" >&2
        fail "$where: squadcast-pam-check --service $service ($kind) failed (exit $rc)"
      else
        echo "ok: $where: pam $service ($rest) passes squadcast-pam-check"
      fi
      ;;
    sshd)
      sshd_count=$((sshd_count + 1))
      mkdir -p "$work/sshd_config.d"
      rm -f "$work/sshd_config.d"/*
      cp "$text" "$work/sshd_config.d/squadcast.conf"
      recipe_sshd_config /etc/ssh/sshd_config "$work/sshd_config.d" >"$work/sshd_config" ||
        { fail "the host's sshd_config is not Debian's stock file"; continue; }
      [ -d /run/sshd ] || mkdir -m 755 /run/sshd   # sshd -t wants its privilege separation directory
      if sshd -t -f "$work/sshd_config" 2>"$work/err"; then
        echo "ok: $where: sshd drop-in passes sshd -t on the stock sshd_config"
      else
        cat "$work/err" >&2
        fail "$where: sshd -t refuses the drop-in"
      fi
      ;;
    sudoers)
      sudoers_count=$((sudoers_count + 1))
      install -m 440 "$text" "$work/sudoers-recipe"
      if visudo -c -q -f "$work/sudoers-recipe" >"$work/err" 2>&1; then
        echo "ok: $where: sudoers passes visudo -c"
      else
        cat "$work/err" >&2
        fail "$where: visudo -c refuses it"
      fi
      ;;
    *) fail "$where: unknown recipe kind '$what'" ;;
  esac
done

# The markers cannot quietly disappear.
[ "$pam_count" -ge 12 ] || fail "only $pam_count PAM recipes marked (expected 12 or more)"
[ "$sshd_count" -ge 3 ] || fail "only $sshd_count sshd recipes marked (expected 3 or more)"
[ "$sudoers_count" -ge 1 ] || fail "only $sudoers_count sudoers recipes marked"
[ "$failures" = 0 ] || { echo "FAIL: $failures recipe(s) do not work as written" >&2; exit 1; }
echo "PASS: docs: recipes ($pam_count PAM, $sshd_count sshd, $sudoers_count sudoers)"
