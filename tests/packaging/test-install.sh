#!/usr/bin/env bash
# packaging:install — `cmake --install BUILD --prefix /usr` into a DESTDIR gives a sane
# tree: helper and its face symlinks in bin, the PAM module in the system's PAM directory,
# man pages, /etc (not /usr/etc) files, tmpfiles.d snippet, pam-auth-update profile.
#   test-install.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: test-install.sh BUILD_DIR}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/squadcast-install-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

root=$scratch/root
if ! DESTDIR=$root cmake --install "$build" --prefix /usr > "$scratch/install.log" 2>&1; then
  cat "$scratch/install.log"
  echo "FAIL: cmake --install failed"
  exit 1
fi
echo "installed tree:"
(cd "$root" && find . ! -type d -printf '  %M %p %l\n' | sort -k2)

# Nothing outside /etc and /usr; nothing under /usr/etc or /usr/local.
stray=$(cd "$root" && find . -mindepth 1 -maxdepth 1 ! -name etc ! -name usr)
[ -z "$stray" ] || bad "files outside /etc and /usr: $stray"
[ ! -e "$root/usr/etc" ] || bad "/usr/etc exists: sysconfdir not mapped to /etc for prefix /usr"
[ ! -e "$root/usr/local" ] || bad "/usr/local exists with --prefix /usr"

# The helper and its faces.
helper=$root/usr/bin/squadcast-credential
if [ -x "$helper" ] && [ ! -L "$helper" ]; then
  ok "usr/bin/squadcast-credential"
  version=$("$helper" --version 2>&1) && ok "--version from DESTDIR: $version" || bad "--version failed: $version"
else
  bad "usr/bin/squadcast-credential missing or not an executable file"
fi
for face in git-credential-squadcast docker-credential-squadcast terraform-credentials-squadcast; do
  link=$root/usr/bin/$face
  if [ -L "$link" ] && [ "$(readlink "$link")" = squadcast-credential ]; then
    ok "usr/bin/$face -> squadcast-credential"
  else
    bad "usr/bin/$face is not a relative symlink to squadcast-credential"
  fi
  [ -L "$root/usr/share/man/man1/$face.1" ] && [ -e "$root/usr/share/man/man1/$face.1" ] ||
    bad "man page link usr/share/man/man1/$face.1 missing or dangling"
done
plugin=$(find "$root/usr/lib" -path '*/squadcast/squadcast-secretservice.so' -type f 2>/dev/null | head -n1)
[ -n "$plugin" ] && ok "plugin ${plugin#"$root"}" || bad "squadcast-secretservice.so not under usr/lib*/squadcast/"

# The PAM module, where this system's libpam looks for modules.
securedir=$(pkg-config --variable=securedir pam 2>/dev/null || true)
if [ -z "$securedir" ]; then
  securedir=$(dirname "$(find /usr/lib /lib -name pam_unix.so -path '*/security/*' 2>/dev/null | head -n1)")
fi
module=$(find "$root" -name pam_squadcast.so -type f 2>/dev/null | head -n1)
if [ -z "$module" ]; then
  bad "pam_squadcast.so not installed"
elif [ "${module#"$root"}" != "$securedir/pam_squadcast.so" ]; then
  bad "pam_squadcast.so at ${module#"$root"}, the system's PAM directory is $securedir"
else
  ok "PAM module ${module#"$root"}"
  [ -z "$(find "$module" -perm /022)" ] || bad "pam_squadcast.so writable by group or others"
fi

# The administrator's dry run, beside the module.
[ -x "$root/usr/sbin/squadcast-pam-check" ] && ok "usr/sbin/squadcast-pam-check" ||
  bad "usr/sbin/squadcast-pam-check missing or not executable"

# Man pages.
for page in man1/squadcast-credential.1 man5/squadcast-config.5 man8/pam_squadcast.8 man8/squadcast-pam-check.8; do
  f=$root/usr/share/man/$page
  if [ -f "$f" ] && MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q .; then
    ok "usr/share/man/$page renders"
  else
    bad "usr/share/man/$page missing or does not render"
  fi
done

# /etc files, the profile, tmpfiles.d.
[ -f "$root/etc/squadcast/config.example" ] && ok "etc/squadcast/config.example" || bad "etc/squadcast/config.example missing"
conf=$root/etc/squadcast/pam.conf
if [ -f "$conf" ]; then
  ok "etc/squadcast/pam.conf"
  [ "$(stat -c %a "$conf")" = 644 ] || bad "pam.conf mode $(stat -c %a "$conf"), want 644"
  grep -qE '^[[:space:]]*(org_id|any_org)' "$conf" && bad "shipped pam.conf sets org_id/any_org: must fail closed until the admin sets it"
else
  bad "etc/squadcast/pam.conf missing"
fi
profile=$root/usr/share/pam-configs/squadcast
if [ -f "$profile" ]; then
  grep -qx 'Default: no' "$profile" || bad "pam-configs/squadcast: not 'Default: no'"
  grep -q 'pam_squadcast.so config=/etc/squadcast/pam.conf' "$profile" || bad "pam-configs/squadcast does not use config=/etc/squadcast/pam.conf"
  ok "usr/share/pam-configs/squadcast"
else
  bad "usr/share/pam-configs/squadcast missing"
fi
grep -qE '^d /var/cache/squadcast-pam 0700 root root' "$root/usr/lib/tmpfiles.d/squadcast-pam.conf" 2>/dev/null &&
  ok "usr/lib/tmpfiles.d/squadcast-pam.conf" || bad "tmpfiles.d snippet for /var/cache/squadcast-pam missing or wrong"

# No absolute symlinks (they would point outside a package's tree).
abs=$(cd "$root" && find . -type l -lname '/*')
[ -z "$abs" ] || bad "absolute symlinks: $abs"

# Reinstalling keeps the admin's pam.conf.
if [ -f "$conf" ]; then
  echo "org_id = 0123456789abcdef01234567" >> "$conf"
  DESTDIR=$root cmake --install "$build" --prefix /usr > "$scratch/install2.log" 2>&1 || bad "second install failed"
  grep -q '^org_id = 0123456789abcdef01234567' "$conf" && ok "reinstall keeps an edited pam.conf" ||
    bad "reinstall overwrote /etc/squadcast/pam.conf"
fi

# Another prefix: /etc files follow it.
if DESTDIR=$scratch/local cmake --install "$build" --prefix /usr/local > "$scratch/install3.log" 2>&1; then
  [ -f "$scratch/local/usr/local/etc/squadcast/config.example" ] && ok "--prefix /usr/local puts config in /usr/local/etc" ||
    bad "--prefix /usr/local: config.example not in /usr/local/etc/squadcast"
else
  bad "cmake --install --prefix /usr/local failed"
fi

exit $fail
