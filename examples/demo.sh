#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine: install what is missing, build the ocikit
# CLI, and show it working on real input.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v runc >/dev/null || need+=(runc)
command -v skopeo >/dev/null || need+=(skopeo)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

mvn -B -q -ntp package -DskipTests
ocikit() { java -jar examples/target/ocikit.jar "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

set -x
ocikit --version
ocikit --help
# How Podman reads image names: default registry, library/, tags and digests.
ocikit reference busybox quay.io/fedora/fedora:40 localhost:5000/app@sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
# Real documents, strictly checked: the installed runc's own config and features.
(cd "$work" && runc spec && runc features > features.json)
ocikit validate "$work/config.json" "$work/features.json" oci-spec/src/test/resources/examples/image/*.json
# A Docker schema 1 manifest is refused with a clear message (exit 125, as Podman's errors).
echo '{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}' > "$work/schema1.json"
ocikit validate "$work/schema1.json" || true

# Skopeo's job: an image made from a directory by a 30-line sample program, then inspected,
# copied between formats (recompressed on the way) and unpacked, every digest verified.
mkdir -p "$work/app/etc" && echo "hello from ocikit" > "$work/app/etc/greeting"
java -cp examples/target/ocikit.jar dev.ocikit.examples.ImageFromDirectory "$work/app" "$work/layout" demo:1 cat /etc/greeting
ocikit inspect "oci:$work/layout:demo:1"
ocikit copy --dest-compress-format zstd "oci:$work/layout:demo:1" "dir:$work/dir"
ocikit copy "oci:$work/layout:demo:1" "docker-archive:$work/demo.tar:demo:1"
skopeo inspect "docker-archive:$work/demo.tar"       # a peer reads what ocikit wrote
ocikit unpack "oci:$work/layout:demo:1" "$work/bundle"
cat "$work/bundle/rootfs/etc/greeting"
