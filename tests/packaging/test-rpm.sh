#!/usr/bin/env bash
# packaging:rpm — packaging/build-rpm builds squadcast-credential and pam_squadcast from
# the spec; they hold what they must, require libcurl, and the helper runs from the RPM
# unpacked into a scratch root. SKIP (77) without rpmbuild.
#   test-rpm.sh SOURCE_DIR        (SQUADCAST_RPM_DIR=DIR: test RPMs already built there)
set -uo pipefail
src=${1:?usage: test-rpm.sh SOURCE_DIR}
if ! command -v rpmbuild >/dev/null 2>&1; then
  echo "SKIP: rpmbuild not installed (Debian package rpm)"
  exit 77
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/squadcast-rpm-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

if [ -n "${SQUADCAST_RPM_DIR:-}" ]; then
  out=$SQUADCAST_RPM_DIR
else
  out=$scratch/out
  started=$(date +%s)
  "$src/packaging/build-rpm" "$out"
  rc=$?
  [ $rc -eq 77 ] && { echo "SKIP: build-rpm says rpmbuild is missing"; exit 77; }
  [ $rc -eq 0 ] || { echo "FAIL: packaging/build-rpm failed"; exit 1; }
  ok "build-rpm in $(( $(date +%s) - started )) s"
fi

helper_rpm=$(compgen -G "$out/squadcast-credential-[0-9]*.rpm" | head -n1)
pam_rpm=$(compgen -G "$out/pam_squadcast-[0-9]*.rpm" | head -n1)
[ -n "$helper_rpm" ] && [ -n "$pam_rpm" ] || { echo "FAIL: RPMs missing"; ls -l "$out"; exit 1; }

expect() {  # expect RPM REGEX...
  local pkg=$1 listing; shift
  listing=$(rpm -qlp "$pkg" 2>/dev/null)
  for re in "$@"; do grep -qE "^$re\$" <<<"$listing" || bad "$(basename "$pkg") lacks $re"; done
}
for pkg in "$helper_rpm" "$pam_rpm"; do
  echo "--- rpm -qlp $(basename "$pkg")"; rpm -qlp "$pkg" 2>/dev/null
  rpm -qp --requires "$pkg" 2>/dev/null | grep -q '^libcurl' || bad "$(basename "$pkg") does not require libcurl"
done
expect "$helper_rpm" /usr/bin/squadcast-credential /usr/bin/git-credential-squadcast \
  /usr/bin/docker-credential-squadcast /usr/bin/terraform-credentials-squadcast \
  '/usr/lib(64)?/squadcast/squadcast-secretservice.so' '/usr/share/man/man1/squadcast-credential.1(.gz)?' \
  /etc/squadcast/config.example
expect "$pam_rpm" '/usr/lib(64)?/security/pam_squadcast.so' '/usr/share/man/man8/pam_squadcast.8(.gz)?' \
  /usr/sbin/squadcast-pam-check '/usr/share/man/man8/squadcast-pam-check.8(.gz)?' \
  /etc/squadcast/pam.conf /usr/lib/tmpfiles.d/squadcast-pam.conf
rpm -qp --configfiles "$pam_rpm" 2>/dev/null | grep -qx /etc/squadcast/pam.conf || bad "pam.conf is not %config"

# Unpack into a scratch root with rpm itself (own database, no scripts, no dependencies).
root=$scratch/root
mkdir -p "$root"
if rpm --root "$root" --dbpath "$root/.rpmdb" --initdb >/dev/null 2>&1 &&
   rpm --root "$root" --dbpath "$root/.rpmdb" -i --nodeps --noscripts --notriggers --nosignature \
       "$helper_rpm" "$pam_rpm" > "$scratch/rpm-i.log" 2>&1; then
  got=$(env -i PATH=/usr/bin:/bin HOME="$scratch/home" "$root/usr/bin/squadcast-credential" --version 2>&1) &&
    ok "squadcast-credential --version from the unpacked RPM: $got" || bad "--version from the unpacked RPM: $got"
  [ -L "$root/usr/bin/git-credential-squadcast" ] || bad "git-credential-squadcast symlink missing after rpm -i"
else
  cat "$scratch/rpm-i.log"
  bad "rpm -i into a scratch root failed"
fi

[ $fail -eq 0 ] && echo "packaging:rpm passed" || echo "packaging:rpm FAILED"
exit $fail
