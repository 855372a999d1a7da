#!/bin/sh
# Regenerates the GnuPG homes GnupgHomeKeysTest signs with: keys made by the real gpg (2.2.40 when
# these were made), of which only pubring.kbx and private-keys-v1.d are kept.
#   gnupg-home-extended: gpg 2.2.40's defaults, the "extended" key file format, keys protected with
#                        openpgp-s2k3-ocb-aes (as GnuPG 2.3 and later write them too)
#   gnupg-home-legacy:   disable-extended-key-format: canonical S-expressions, openpgp-s2k3-sha1-aes-cbc
# Every protected key's passphrase is "correct horse". The agent's S2K count is its minimum (65536)
# so that the tests unlock keys quickly; gpg's default is calibrated to ~100 ms.
# The fingerprints the test names are printed at the end: update GnupgHomeKeysTest after a rerun.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pw="correct horse"
work=$(mktemp -d)
trap 'for h in "$work"/*; do GNUPGHOME="$h" gpgconf --kill gpg-agent 2>/dev/null || true; done; rm -rf "$work"' EXIT

# Keys made "in 2024", so that the tests pass on any machine whose clock is later than that.
made="--faked-system-time 20240101T000000!"
gen() { # home uid algo usage passphrase
  GNUPGHOME="$1" gpg $made --batch --pinentry-mode loopback --passphrase "$5" --quick-gen-key "$2" "$3" "$4" never 2>/dev/null
}
fpr() { # home uid
  GNUPGHOME="$1" gpg --batch --with-colons --list-keys "$2" | awk -F: '/^fpr:/ { print $10; exit }'
}
newhome() { # name agent.conf-lines
  mkdir -m 700 "$work/$1"
  printf '%s\n' "s2k-count 65536" "$2" > "$work/$1/gpg-agent.conf"
}

newhome extended ""
h="$work/extended"
gen "$h" "rsa <rsa@example.com>" rsa3072 sign "$pw"
gen "$h" "ed <ed@example.com>" ed25519 sign "$pw"
gen "$h" "p256 <p256@example.com>" nistp256 sign "$pw"
gen "$h" "p384 <p384@example.com>" nistp384 sign "$pw"
gen "$h" "p521 <p521@example.com>" nistp521 sign "$pw"
gen "$h" "brainpool <brainpool@example.com>" brainpoolP256r1 sign "$pw"
gen "$h" "open <open@example.com>" ed25519 sign ""
gen "$h" "dsa <dsa@example.com>" dsa2048 sign ""
# a primary key that only certifies, with a signing subkey (which gpg -u PRIMARY signs with)
gen "$h" "sub <sub@example.com>" ed25519 cert "$pw"
GNUPGHOME="$h" gpg $made --batch --pinentry-mode loopback --passphrase "$pw" --quick-add-key "$(fpr "$h" sub@example.com)" ed25519 sign never 2>/dev/null
# a key imported in batch mode without its passphrase: gpg-agent keeps it in the openpgp-native
# transfer format until it is first used
newhome export ""
gen "$work/export" "imported <imported@example.com>" ed25519 sign "$pw"
GNUPGHOME="$work/export" gpg --batch --pinentry-mode loopback --passphrase "$pw" --export-secret-keys imported@example.com > "$work/imported.gpg"
GNUPGHOME="$h" gpg --batch --import "$work/imported.gpg" 2>/dev/null

newhome legacy "disable-extended-key-format"
l="$work/legacy"
gen "$l" "rsa <rsa@example.com>" rsa3072 sign "$pw"
gen "$l" "ed <ed@example.com>" ed25519 sign "$pw"
gen "$l" "p256 <p256@example.com>" nistp256 sign "$pw"
gen "$l" "open <open@example.com>" nistp256 sign ""

for name in extended legacy; do
  out="$here/gnupg-home-$name"
  rm -rf "$out"
  mkdir -p "$out/private-keys-v1.d"
  cp "$work/$name/pubring.kbx" "$out/"
  cp "$work/$name"/private-keys-v1.d/*.key "$out/private-keys-v1.d/"
  echo "gnupg-home-$name:"
  GNUPGHOME="$work/$name" gpg --batch --with-colons --with-keygrip --list-secret-keys | awk -F: '/^sec:/ { kind = "primary" } /^ssb:/ { kind = "subkey " } /^fpr:/ { f = $10 } /^grp:/ { line = "    " kind " " f " keygrip " $10; if (kind == "primary") held = line; else print line } /^uid:/ { print "  " $10; print held }'
done
