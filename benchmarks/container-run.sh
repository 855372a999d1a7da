#!/usr/bin/env bash
# Container start, ocikit against bare runc and podman, in one run: the time from the call to the
# exit of `echo hi` in a container of a stored busybox image.
#  - in one warm JVM: OciRuntime.container(..).start() + waitFor(), against `runc run` of a
#    prepared bundle spawned from the same JVM (dev.ocikit.benchmarks.ContainerStart);
#  - as whole commands: `ocikit run --rm` against `podman run --rm` (when podman works here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bench=${BENCH_DIR:-/var/tmp/ocikit-bench}/containers
rounds=${ROUNDS:-40}
cli_rounds=${CLI_ROUNDS:-15}

need=()
for tool in runc; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -x /bin/busybox ] || need+=(busybox-static)
command -v podman >/dev/null || need+=(podman)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" || true
fi
(cd "$top" && mvn -B -q -ntp package -DskipTests)
rm -rf "$bench"; mkdir -p "$bench"
jar=$top/examples/target/ocikit.jar
# the CLI as a user starts it: examples/bin/ocikit (class-data sharing archive recorded on first use)
ocikit() { "$top/examples/bin/ocikit" --root "$bench/store" "$@"; }

# A busybox image: one layer, made with ocikit's own sample, copied into the store.
# the directories every distribution image has, so that neither side creates mount points
rootfs=$bench/rootfs; mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/root"
touch "$rootfs/etc/hosts" "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"
cp /bin/busybox "$rootfs/bin/"
for a in sh echo true cat; do ln -s busybox "$rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"; echo 'root:x:0:' > "$rootfs/etc/group"
java -cp "$jar" dev.ocikit.examples.ImageFromDirectory "$rootfs" "$bench/layout" bb echo hi > /dev/null
ocikit copy -q "oci:$bench/layout:bb" ocikit:localhost/bench-busybox:latest

# The bare runc bundle: the same files, runc's own default spec, echo hi.
bundle=$bench/bundle; mkdir -p "$bundle"; cp -a "$rootfs" "$bundle/rootfs"
(cd "$bundle" && runc spec && python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["echo", "hi"]
json.dump(c, open("config.json", "w"))
PY
)

echo "== in one JVM: API call to exit of echo hi (${rounds} rounds, interleaved)"
java -cp "$jar:$here/target/classes" dev.ocikit.benchmarks.ContainerStart "$bench/store" localhost/bench-busybox:latest \
  "$bundle" "$rounds"

median_ms() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }
time_cmd() { # prints one wall time in ms
  local t0 t1; t0=$(date +%s%N); "$@" > /dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 ))
}

echo "== whole commands: run --rm echo hi (${cli_rounds} rounds each, after one warm-up)"
ocikit run --rm localhost/bench-busybox:latest echo hi > /dev/null
ours=$(for i in $(seq "$cli_rounds"); do time_cmd ocikit run --rm localhost/bench-busybox:latest echo hi; done | median_ms)
echo "ocikit run --rm     median ${ours} ms"
bare=$(for i in $(seq "$cli_rounds"); do time_cmd runc --root /run/ocikit-bench-runc run --bundle "$bundle" "cli-$i"; done | median_ms)
echo "runc run (bundle)   median ${bare} ms"
# podman asks for nofile/nproc limits of 1048576, above this host's hard limits, which root here cannot
# raise (no CAP_SYS_RESOURCE): it runs only with limits given on its command line.
if command -v podman >/dev/null && podman pull -q "oci:$bench/layout:bb" > /dev/null 2>"$bench/podman.err" \
    && podman run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$(podman images -q | head -1)" echo hi > /dev/null 2>>"$bench/podman.err"; then
  img=$(podman images -q | head -1)
  theirs=$(for i in $(seq "$cli_rounds"); do time_cmd podman run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$img" echo hi; done | median_ms)
  echo "podman run --rm     median ${theirs} ms"
  awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "ratio ocikit/podman (CLI): %.2f\n", a / b}'
else
  echo "podman run does not work here: $(tail -3 "$bench/podman.err" | tr '\n' ' ')"
fi
awk -v a="$ours" -v b="$bare" 'BEGIN {printf "ratio ocikit CLI/bare runc: %.2f\n", a / b}'
