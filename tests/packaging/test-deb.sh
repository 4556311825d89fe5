#!/usr/bin/env bash
# packaging:deb — packaging/build-deb builds the .debs from a clean copy; they hold what
# they must; lintian reports no errors; the helper runs from a package unpacked into a
# scratch root; the man pages render; and (as root, in a private mount namespace, so the
# host's PAM setup is never touched) the maintainer scripts register the pam-auth-update
# profile without enabling it, and remove it cleanly once enabled.
#   test-deb.sh SOURCE_DIR        (SQUADCAST_DEB_DIR=DIR: test .debs already built there)
set -uo pipefail
src=${1:?usage: test-deb.sh SOURCE_DIR}
for tool in dpkg-buildpackage dh dpkg-deb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not installed (dpkg-dev, debhelper; see scripts/install-deps)"
    exit 77
  fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/squadcast-deb-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

if [ -n "${SQUADCAST_DEB_DIR:-}" ]; then
  out=$SQUADCAST_DEB_DIR
else
  out=$scratch/out
  started=$(date +%s)
  "$src/packaging/build-deb" "$out" || { echo "FAIL: packaging/build-deb failed"; exit 1; }
  ok "build-deb in $(( $(date +%s) - started )) s"
  # The package was built on a copy: nothing of a Debian build appears in the checkout.
  for leftover in debian obj-* debian/files ../squadcast-auth_*.changes; do
    compgen -G "$src/$leftover" >/dev/null && bad "build-deb left $leftover in the source tree"
  done
fi

deb_of() { compgen -G "$out/$1_*_*.deb" | head -n1; }
helper_deb=$(deb_of squadcast-credential)
pam_deb=$(deb_of libpam-squadcast)
[ -n "$helper_deb" ] || { echo "FAIL: no squadcast-credential .deb in $out"; ls -l "$out"; exit 1; }
[ -n "$pam_deb" ] || { echo "FAIL: no libpam-squadcast .deb in $out"; ls -l "$out"; exit 1; }

# --- contents -------------------------------------------------------------------------
contents() { dpkg-deb -c "$1" | awk '{ p = $6; for (i = 7; i <= NF; i++) p = p " " $i; print p }' | sed 's|^\./|/|'; }
expect() {  # expect DEB REGEX...
  local deb=$1 listing; shift
  listing=$(contents "$deb")
  for re in "$@"; do
    grep -qE "^$re\$" <<<"$listing" || bad "$(basename "$deb") lacks $re"
  done
}
for deb in "$helper_deb" "$pam_deb"; do
  echo "--- dpkg-deb -c $(basename "$deb")"
  dpkg-deb -c "$deb"
done
expect "$helper_deb" \
  /usr/bin/squadcast-credential \
  '/usr/bin/git-credential-squadcast -> squadcast-credential' \
  '/usr/bin/docker-credential-squadcast -> squadcast-credential' \
  '/usr/bin/terraform-credentials-squadcast -> squadcast-credential' \
  '/usr/lib/[a-z0-9_-]+/squadcast/squadcast-secretservice.so' \
  /usr/share/man/man1/squadcast-credential.1.gz \
  '/usr/share/man/man1/git-credential-squadcast.1.gz -> squadcast-credential.1.gz' \
  /usr/share/man/man5/squadcast-config.5.gz \
  /etc/squadcast/config.example \
  /usr/share/doc/squadcast-credential/copyright
expect "$pam_deb" \
  '/usr/lib/[a-z0-9_-]+/security/pam_squadcast.so' \
  /usr/share/pam-configs/squadcast \
  /usr/share/man/man8/pam_squadcast.8.gz \
  /usr/sbin/squadcast-pam-check \
  /usr/share/man/man8/squadcast-pam-check.8.gz \
  /etc/squadcast/pam.conf \
  /usr/lib/tmpfiles.d/squadcast-pam.conf \
  /usr/share/doc/libpam-squadcast/copyright
# Neither package may carry the other's files (they would conflict).
contents "$helper_deb" | grep -qE 'pam_squadcast|pam-configs' && bad "squadcast-credential carries PAM files"
contents "$pam_deb" | grep -qE '/usr/bin/|secretservice' && bad "libpam-squadcast carries helper files"
[ $fail -eq 0 ] && ok "package contents"

# --- control data ---------------------------------------------------------------------
for deb in "$helper_deb" "$pam_deb"; do
  depends=$(dpkg-deb -f "$deb" Depends)
  grep -qE '(^|, )libcurl4( |,|$)' <<<"$depends" || bad "$(basename "$deb"): Depends lacks libcurl4 (dlopen'ed): $depends"
done
pam_ctl=$scratch/pam-control
dpkg-deb -e "$pam_deb" "$pam_ctl"
grep -qx 'Default: no' <(dpkg-deb --fsys-tarfile "$pam_deb" | tar -xOf - ./usr/share/pam-configs/squadcast) ||
  bad "pam-auth-update profile is not 'Default: no'"
grep -q 'pam-auth-update --package' "$pam_ctl/postinst" 2>/dev/null || bad "postinst does not call pam-auth-update --package"
grep -q 'pam-auth-update --package --remove squadcast' "$pam_ctl/prerm" 2>/dev/null || bad "prerm does not remove the profile"
grep -q 'rm -rf /var/cache/squadcast-pam' "$pam_ctl/postrm" 2>/dev/null || bad "postrm purge does not remove the cache"
grep -qx /etc/squadcast/pam.conf "$pam_ctl/conffiles" 2>/dev/null || bad "/etc/squadcast/pam.conf is not a conffile"
grep -q libpam-runtime <<<"$(dpkg-deb -f "$pam_deb" Depends)" || bad "libpam-squadcast does not depend on libpam-runtime (pam-auth-update)"
[ $fail -eq 0 ] && ok "control data: Depends, conffiles, maintainer scripts"

# --- lintian --------------------------------------------------------------------------
if command -v lintian >/dev/null 2>&1; then
  echo "--- lintian"
  lintian_out=$(lintian --no-cfg --info --display-info --tag-display-limit 0 "$helper_deb" "$pam_deb" 2>&1)
  echo "$lintian_out"
  if grep -qE '^E: ' <<<"$lintian_out"; then bad "lintian reports errors"; else ok "lintian: no errors"; fi
else
  echo "note: lintian not installed, lintian check skipped"
fi

# --- the helper from an unpacked package ----------------------------------------------
root=$scratch/root
dpkg-deb -x "$helper_deb" "$root"
dpkg-deb -x "$pam_deb" "$root"
version=$(dpkg-deb -f "$helper_deb" Version)
for name in squadcast-credential git-credential-squadcast; do
  got=$(env -i PATH=/usr/bin:/bin HOME="$scratch/home" "$root/usr/bin/$name" --version 2>&1)
  if [ $? -eq 0 ] && grep -q "${version%-*}" <<<"$got"; then ok "$name --version from the unpacked package: $got"
  else bad "$name --version from the unpacked package: $got"; fi
done
# Not logged in, no network needed: exit 1 from status; an unknown host on the git face
# gets nothing (exit 0, empty answer) so the next helper runs.
env -i PATH=/usr/bin:/bin HOME="$scratch/home" SQUADCAST_CREDENTIAL_BACKEND=file \
  "$root/usr/bin/squadcast-credential" status > "$scratch/status.out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "status with nothing stored exits 1" || bad "status with nothing stored exited $rc: $(cat "$scratch/status.out")"
answer=$(printf 'protocol=https\nhost=example.org\n\n' |
  env -i PATH=/usr/bin:/bin HOME="$scratch/home" SQUADCAST_CREDENTIAL_BACKEND=file "$root/usr/bin/git-credential-squadcast" get 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -z "$answer" ] && ok "git face ignores other hosts" || bad "git get for example.org: exit $rc, answer '$answer'"
for page in man1/squadcast-credential.1.gz man1/docker-credential-squadcast.1.gz man5/squadcast-config.5.gz man8/pam_squadcast.8.gz; do
  MANWIDTH=80 man -l "$root/usr/share/man/$page" 2>/dev/null | grep -q '^NAME' &&
    ok "man -l $page" || bad "man -l $page does not render"
done
module=$(find "$root/usr/lib" -name pam_squadcast.so | head -n1)
if [ -n "$module" ]; then
  exported=$(nm -D --defined-only "$module" | awk '$2 ~ /^[TDBVW]$/ { print $3 }' | grep -v '^pam_sm_' | grep -vE '^(_init|_fini)$')
  [ -z "$exported" ] && ok "pam_squadcast.so exports only pam_sm_*" || bad "pam_squadcast.so exports more than pam_sm_*: $exported"
fi

# --- pam-auth-update: install, enable, remove, in a private mount namespace -----------
pam_profile_test() {
  local ns=$scratch/ns
  mkdir -p "$ns"/{pam.d,pam-configs}
  cp -a /etc/pam.d/. "$ns/pam.d/"
  cp -a /usr/share/pam-configs/. "$ns/pam-configs/"
  cp "$root/usr/share/pam-configs/squadcast" "$ns/pam-configs/squadcast"
  # Every path the scripts may write is scratch: /etc/pam.d and the profiles are copies,
  # /var/lib/pam and /var/cache (debconf's database, the module's cache directory that
  # the postinst's systemd-tmpfiles call creates) are tmpfs holding copies.
  unshare --mount --propagation private bash -euc '
    ns=$1 ctl=$2 root=$3
    mount --bind "$ns/pam.d" /etc/pam.d
    mount --bind "$ns/pam-configs" /usr/share/pam-configs
    mkdir -p "$ns/varlibpam" "$ns/debconf"
    cp -a /var/lib/pam/. "$ns/varlibpam/"
    cp -a /var/cache/debconf/. "$ns/debconf/"
    mount -t tmpfs tmpfs /var/lib/pam
    cp -a "$ns/varlibpam/." /var/lib/pam/
    mount -t tmpfs tmpfs /var/cache
    mkdir /var/cache/debconf
    cp -a "$ns/debconf/." /var/cache/debconf/
    mount --bind "$root/usr/lib/tmpfiles.d" /usr/lib/tmpfiles.d
    export DEBIAN_FRONTEND=noninteractive
    before=$(cat /etc/pam.d/common-auth)
    "$ctl/postinst" configure
    if grep -q pam_squadcast /etc/pam.d/common-*; then echo "FAIL: postinst enabled the profile"; exit 1; fi
    [ "$before" = "$(cat /etc/pam.d/common-auth)" ] || { echo "FAIL: postinst changed common-auth"; exit 1; }
    echo "ok: postinst registers the profile without enabling it"
    pam-auth-update --enable squadcast
    line=$(grep -n "pam_squadcast.so config=/etc/squadcast/pam.conf" /etc/pam.d/common-auth) ||
      { echo "FAIL: pam-auth-update --enable squadcast did not add the module"; cat /etc/pam.d/common-auth; exit 1; }
    unix=$(grep -n "pam_unix.so" /etc/pam.d/common-auth | head -n1)
    [ "${unix%%:*}" -lt "${line%%:*}" ] || { echo "FAIL: pam_squadcast comes before pam_unix"; exit 1; }
    grep -q "^auth.*requisite.*pam_deny.so" /etc/pam.d/common-auth || { echo "FAIL: no pam_deny fallback"; exit 1; }
    echo "ok: enabled: $(sed -n "${line%%:*}p" /etc/pam.d/common-auth)"
    "$ctl/postinst" configure   # an upgrade keeps the admin choice
    grep -q pam_squadcast /etc/pam.d/common-auth || { echo "FAIL: upgrade (postinst) disabled the profile"; exit 1; }
    echo "ok: postinst on upgrade keeps it enabled"
    "$ctl/prerm" remove
    if grep -q pam_squadcast /etc/pam.d/common-*; then echo "FAIL: prerm left pam_squadcast in /etc/pam.d"; exit 1; fi
    [ "$before" = "$(cat /etc/pam.d/common-auth)" ] || { echo "FAIL: common-auth differs after removal"; diff <(echo "$before") /etc/pam.d/common-auth; exit 1; }
    echo "ok: prerm remove takes it out, common-auth is back as it was"
  ' _ "$ns" "$pam_ctl" "$root"
}
if [ "$(id -u)" -ne 0 ]; then
  echo "note: not root, pam-auth-update profile test skipped"
elif ! command -v pam-auth-update >/dev/null 2>&1; then
  echo "note: pam-auth-update not installed (libpam-runtime), profile test skipped"
elif ! unshare --mount true 2>/dev/null || [ ! -d /var/lib/pam ] || [ ! -d /var/cache/debconf ]; then
  echo "note: no mount namespaces here, pam-auth-update profile test skipped"
else
  pam_profile_test || bad "pam-auth-update profile lifecycle"
fi

[ $fail -eq 0 ] && echo "packaging:deb passed" || echo "packaging:deb FAILED"
exit $fail
