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
# Real logins through the main recipes: tests/pam/sshd_login_test.sh (README's sshd
# recipe), sudo_oncall_test.sh (teams-and-oncall.md's break glass and on-call sudo),
# sudo_directory_test.sh and sshd_directory_test.sh (directory-mode.md's).
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

work=$(mktemp -d /tmp/squadcast-recipes-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
failures=0

# Each recipe: $work/recipes/N.{kind,where,text}.
python3 - "$src" "$work/recipes" <<'PY'
import glob, os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
n = 0
for path in [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md"))):
    lines = open(path).read().split("\n")
    for i, line in enumerate(lines):
        m = re.fullmatch(r"<!-- recipe: (.*) -->", line.strip())
        if not m:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            sys.exit(f"{path}:{i + 1}: a recipe marker not followed by a fence")
        end = next(j for j in range(i + 2, len(lines)) if lines[j].startswith("```"))
        n += 1
        where = f"{os.path.relpath(path, src)}:{i + 3}"
        open(f"{out}/{n}.where", "w").write(where)
        open(f"{out}/{n}.kind", "w").write(m.group(1))
        open(f"{out}/{n}.text", "w").write("\n".join(lines[i + 2:end]) + "\n")
print(f"{n} recipes")
PY

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
      case $how in
        replace) cp "$work/block" "$work/pam.d/$service" ;;
        before|after)
          python3 - "/etc/pam.d/$service" "$work/block" "$how" "$anchor" >"$work/pam.d/$service" <<'PY' ||
import sys
stock, block, how, anchor = open(sys.argv[1]).read().split("\n"), open(sys.argv[2]).read().rstrip("\n"), sys.argv[3], sys.argv[4]
at = [i for i, l in enumerate(stock) if l.split() == anchor.split()]
if len(at) != 1:
    sys.exit(f"'{anchor}' is not once in {sys.argv[1]}")
i = at[0] + (1 if how == "after" else 0)
print("\n".join(stock[:i] + [block] + stock[i:]), end="")
PY
            { fail "$where: cannot place the recipe $how '$anchor' in /etc/pam.d/$service"; continue; } ;;
        *) fail "$where: unknown placement '$how'"; continue ;;
      esac
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
      grep -q '^Include /etc/ssh/sshd_config.d/\*.conf' /etc/ssh/sshd_config ||
        { fail "the host's sshd_config has no 'Include /etc/ssh/sshd_config.d/*.conf' (not Debian's stock file)"; continue; }
      sed "s#^Include /etc/ssh/sshd_config.d/\*.conf#Include $work/sshd_config.d/*.conf#" /etc/ssh/sshd_config \
        >"$work/sshd_config"
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
