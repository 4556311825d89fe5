#!/usr/bin/env bash
# The recipes of README.md and docs/*.md: fenced blocks marked "<!-- recipe: KIND ... -->"
# on the line before the fence. Sourced (bash) by tests/docs/recipes_test.sh and by the
# root tests of tests/pam that log in through them, so that both read and place a recipe
# the same way:
#   recipe_extract SRC OUT         every recipe into OUT/N.{kind,where,text}; prints the count
#   recipe_block SRC DOC MARKER [NTH]
#                                  prints the NTH (default 1) block of SRC/DOC whose marker is
#                                  exactly "<!-- recipe: MARKER -->", verbatim; fails if none
#   recipe_pam_service STOCK HOW ANCHOR BLOCK
#                                  prints the PAM service file: BLOCK as the whole file (HOW =
#                                  replace, ANCHOR unused) or inserted into STOCK (Debian's /etc/pam.d/SERVICE)
#                                  before/after the one line ANCHOR (e.g. "@include common-auth")
#   recipe_sshd_config STOCK DIR   prints STOCK (Debian's sshd_config) with its
#                                  "Include /etc/ssh/sshd_config.d/*.conf" pointed at DIR/*.conf
# Run directly: recipe_block.sh SRC DOC MARKER [NTH] prints that block.

_recipe_py='
import glob, os, re, sys
def recipes(src, paths):
    for path in paths:
        lines = open(path).read().split("\n")
        for i, line in enumerate(lines):
            m = re.fullmatch(r"<!-- recipe: (.*) -->", line.strip())
            if not m:
                continue
            if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
                sys.exit(f"{path}:{i + 1}: a recipe marker not followed by a fence")
            end = next(j for j in range(i + 2, len(lines)) if lines[j].startswith("```"))
            yield f"{os.path.relpath(path, src)}:{i + 3}", m.group(1), "\n".join(lines[i + 2:end]) + "\n"
mode, src = sys.argv[1], sys.argv[2]
if mode == "extract":
    out = sys.argv[3]
    os.makedirs(out)
    n = 0
    docs = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    for where, kind, text in recipes(src, docs):
        n += 1
        open(f"{out}/{n}.where", "w").write(where)
        open(f"{out}/{n}.kind", "w").write(kind)
        open(f"{out}/{n}.text", "w").write(text)
    print(f"{n} recipes")
else:
    doc, marker, nth = sys.argv[3], sys.argv[4], int(sys.argv[5])
    found = [r for r in recipes(src, [os.path.join(src, doc)]) if r[1] == marker]
    if len(found) < nth:
        sys.exit(f"{doc}: no recipe #{nth} marked \"<!-- recipe: {marker} -->\" ({len(found)} found)")
    print(found[nth - 1][2], end="")
'

recipe_extract() {  # src out
  python3 -c "$_recipe_py" extract "$1" "$2"
}

recipe_block() {  # src doc marker [nth]
  python3 -c "$_recipe_py" block "$1" "$2" "$3" "${4:-1}"
}

recipe_pam_service() {  # stock how anchor block
  local stock=$1 how=$2 anchor=$3 block=$4
  case $how in
    replace) cat "$block" ;;
    before|after)
      python3 - "$stock" "$block" "$how" "$anchor" <<'PY'
import sys
stock, block, how, anchor = open(sys.argv[1]).read().split("\n"), open(sys.argv[2]).read().rstrip("\n"), sys.argv[3], sys.argv[4]
at = [i for i, l in enumerate(stock) if l.split() == anchor.split()]
if len(at) != 1:
    sys.exit(f"'{anchor}' is not once in {sys.argv[1]}")
i = at[0] + (1 if how == "after" else 0)
print("\n".join(stock[:i] + [block] + stock[i:]), end="")
PY
      ;;
    *) echo "recipe_pam_service: unknown placement '$how'" >&2; return 1 ;;
  esac
}

recipe_sshd_config() {  # stock dir
  grep -q '^Include /etc/ssh/sshd_config.d/\*.conf' "$1" || {
    echo "$1 has no 'Include /etc/ssh/sshd_config.d/*.conf' (not Debian's stock file)" >&2; return 1; }
  sed "s#^Include /etc/ssh/sshd_config.d/\*.conf#Include $2/*.conf#" "$1"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  [ $# -ge 3 ] || { echo "usage: $0 SRC DOC MARKER [NTH]" >&2; exit 2; }
  recipe_block "$@"
fi
