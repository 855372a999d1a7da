#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine: install what is missing, build the ocikit
# CLI, and show it working on real input.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

mvn -B -q -ntp package -DskipTests
ocikit() { java -jar examples/target/ocikit.jar "$@"; }

set -x
ocikit --version
ocikit --help
