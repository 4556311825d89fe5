#!/usr/bin/env bash
# packaging:docs — the man pages render with `man -l` without groff warnings, and document
# every option the code accepts (the code is the one source of truth for the option
# lists; this test keeps the man pages, and the option tables of docs/pam-module.md and
# docs/configuration.md, in step with it. The man pages are the complete reference; the
# docs' tables must name nothing the code does not have).
#   test-docs.sh SOURCE_DIR
set -uo pipefail
src=${1:?usage: test-docs.sh SOURCE_DIR}
man_dir=$src/packaging/man
fail=0
bad() { echo "FAIL: $*"; fail=1; }

if ! command -v man >/dev/null 2>&1; then
  echo "SKIP: man not installed (man-db)"
  exit 77
fi

for page in "$man_dir"/*.[0-9]; do
  name=$(basename "$page")
  warnings=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings=all -l "$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || bad "$name: groff warnings: $warnings"
  text=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null)
  [ -n "$text" ] || bad "$name: renders empty"
  for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
    grep -q "^$section\$" <<<"$text" || bad "$name: no $section section"
  done
  echo "ok: $name renders ($(wc -l <<<"$text") lines)"
done

# PAM options: the keys of the handler table in pam_options.cpp.
pam_src=$src/pam-module/pam_options.cpp
if [ -f "$pam_src" ]; then
  keys=$(sed -n '/handlers{{/,/^}};/p' "$pam_src" | grep -oE '^ *\{"[a-z_]+"' | grep -oE '[a-z_]+')
  [ -n "$keys" ] || bad "no option keys found in $pam_src (table format changed?)"
  pam_text=$(MANWIDTH=200 man -l "$man_dir/pam_squadcast.8" 2>/dev/null)
  for key in $keys; do
    grep -qE "^ +$key(=| |$)" <<<"$pam_text" || bad "pam_squadcast(8) does not document option '$key'"
    grep -qE "^#?$key( =|$)" "$src/packaging/config/pam.conf" || [ "$key" = config ] ||
      bad "packaging/config/pam.conf does not mention option '$key'"
  done
  echo "ok: pam_squadcast(8) documents $(wc -w <<<"$keys") options of $pam_src"
  # The options table of docs/pam-module.md: every option it names exists.
  pam_doc=$src/docs/pam-module.md
  if [ -f "$pam_doc" ]; then
    documented=$(sed -n '/^## Options/,/^## /p' "$pam_doc" | grep -E '^\| `' | cut -d'|' -f2 |
      grep -oE '`[a-z_]+' | tr -d '`' | sort -u)
    [ -n "$documented" ] || bad "no options table found in $pam_doc (format changed?)"
    for key in $documented; do
      grep -qxF "$key" <<<"$keys" || bad "docs/pam-module.md names option '$key' that $pam_src does not have"
    done
    echo "ok: docs/pam-module.md names $(wc -w <<<"$documented") options, all in the code"
  fi
else
  echo "note: $pam_src not found, PAM option check skipped"
fi

# Config keys: the apply_config_key() chain in common/src/config.cpp.
config_src=$src/common/src/config.cpp
if [ -f "$config_src" ]; then
  keys=$(grep -oE 'key == "[a-z_]+"' "$config_src" | grep -oE '"[a-z_]+"' | tr -d '"' | sort -u)
  conf_text=$(MANWIDTH=200 man -l "$man_dir/squadcast-config.5" 2>/dev/null)
  for key in $keys; do
    grep -qE "^ +$key = " <<<"$conf_text" || bad "squadcast-config(5) does not document key '$key'"
    grep -qE "^#$key = " "$src/packaging/config/config.example" ||
      [ "$key" = allow_http_loopback ] || bad "config.example does not mention key '$key'"
  done
  for var in $(grep -oE '"SQUADCAST_[A-Z_]+"' "$config_src" | tr -d '"' | sort -u); do
    grep -q "$var" <<<"$conf_text$(man -l "$man_dir/squadcast-credential.1" 2>/dev/null)" ||
      bad "environment variable $var is in no man page"
  done
  # The table of docs/configuration.md: every key and environment variable it names exists.
  conf_doc=$src/docs/configuration.md
  if [ -f "$conf_doc" ]; then
    rows=$(grep -E '^\| (`|–)' "$conf_doc")
    [ -n "$rows" ] || bad "no key table found in $conf_doc (format changed?)"
    for key in $(cut -d'|' -f2 <<<"$rows" | grep -oE '`[a-z_]+`' | tr -d '`'); do
      grep -qxF "$key" <<<"$keys" || bad "docs/configuration.md names key '$key' that $config_src does not have"
    done
    for var in $(cut -d'|' -f3 <<<"$rows" | grep -oE 'SQUADCAST_[A-Z_]+' | sort -u); do
      grep -rqF "\"$var\"" "$src/common" "$src/credential-helper" ||
        bad "docs/configuration.md names environment variable $var that no code reads"
    done
    echo "ok: docs/configuration.md names only keys and variables the code has"
  fi
fi

# Helper: every long option and command of the usage text is in squadcast-credential(1).
cli_src=$src/credential-helper/command_line.cpp
if [ -f "$cli_src" ]; then
  helper_text=$(MANWIDTH=200 man -l "$man_dir/squadcast-credential.1" 2>/dev/null)
  for opt in $(sed -n '/usage_text/,/^}/p' "$cli_src" | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    grep -q -- "$opt" <<<"$helper_text" || bad "squadcast-credential(1) does not document $opt"
  done
  for cmd in login logout token status; do
    grep -qE "^ +$cmd( |$)" <<<"$helper_text" || bad "squadcast-credential(1) has no entry for '$cmd'"
  done
  echo "ok: squadcast-credential(1) documents the helper's usage text"
fi

# squadcast-pam-check: every long option of its usage text is in squadcast-pam-check(8).
pam_check_src=$src/pam-module/check/pam_check_main.cpp
if [ -f "$pam_check_src" ]; then
  pam_check_text=$(MANWIDTH=200 man -l "$man_dir/squadcast-pam-check.8" 2>/dev/null)
  for opt in $(sed -n '/constexpr const char\* usage/,/^)";/p' "$pam_check_src" | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    grep -q -- "$opt" <<<"$pam_check_text" || bad "squadcast-pam-check(8) does not document $opt"
  done
  echo "ok: squadcast-pam-check(8) documents the tool's usage text"
fi

exit $fail
