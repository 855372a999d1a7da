#!/usr/bin/env bash
# Unpack and pack, ocikit against umoci, GNU tar, gzip and zstd, on the same corpus in one run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bench=${BENCH_DIR:-/var/tmp/ocikit-bench}

need=()
for t in debootstrap umoci zstd; do command -v $t >/dev/null || need+=($t); done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
if [ "$(stat -f -c %T "$(dirname "$bench")")" = tmpfs ]; then
  echo "BENCH_DIR is on tmpfs; use a disk-backed directory so all tools race on the same file system" >&2; exit 1
fi

(cd "$top" && mvn -B -q -ntp package -DskipTests)
ocikisecsof() { local want=$1 r n s m; for r in "${results[@]}"; do read -r n s m <<<"$r"; if [ "$n" = "$want" ]; then echo "$s"; return; fi; done; echo 0; }
ratio() { awk -v a="$(secsof "$1")" -v b="$(secsof "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

work=$bench/run; rm -rf "$work"; mkdir -p "$work"
echo "== unpack (4 layers, $(du -sh "$corpus/layout" | cut -f1) compressed)"
measure umoci-unpack umoci unpack --image "$corpus/layout:bench" "$work/umoci"
measure ocikit-unpack ocikit unpack "oci:$corpus/layout:bench" "$work/ocikit"
mkdir -p "$work/tar"
# the same gzip blobs, layer by layer, with GNU tar (no whiteout handling: a floor, not a peer)
layers=$(python3 - "$corpus/layout" <<'PY'
import json, sys
root = sys.argv[1]
index = json.load(open(root + "/index.json"))
manifest = json.load(open(root + "/blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))
print(" ".join(root + "/blobs/sha256/" + l["digest"].split(":")[1] for l in manifest["layers"]))
PY
)
measure tar-xzf bash -c 'for b in $1; do tar -xzf "$b" -C "$0"; done' "$work/tar" "$layers"

echo "== pack the unpacked root file system into one layer"
rootfs=$work/umoci/rootfs
measure ocikit-pack-gzip ocikit pack-layer --compression gzip "$rootfs" "$work/ocikit.tar.gz"
measure ocikit-pack-zstd ocikit pack-layer --compression zstd "$rootfs" "$work/ocikit.tar.zst"
measure tar-gzip bash -c 'tar -C "$0" -cf - . | gzip > "$1"' "$rootfs" "$work/tar.tar.gz"
measure tar-zstd bash -c 'tar -C "$0" -cf - . | zstd -q -3 > "$1"' "$rootfs" "$work/tar.tar.zst"
umoci init --layout "$work/repack"; umoci new --image "$work/repack:empty"
umoci unpack --image "$work/repack:empty" "$work/repack-bundle" >/dev/null
cp -a "$rootfs/." "$work/repack-bundle/rootfs/"
measure umoci-repack umoci repack --image "$work/repack:full" "$work/repack-bundle"

echo "== 1 GiB layer with -Xmx64m"
tar -C "$corpus/big" -cf - . | gzip -1 > "$work/big.tar.gz"
OCIKIT_JAVA_OPTS=-Xmx64m measure ocikit-pack-1g-64m ocikit pack-layer --compression gzip "$corpus/big" "$work/big2.tar.gz"
OCIKIT_JAVA_OPTS=-Xmx64m measure ocikit-unpack-1g-64m ocikit unpack-layer "$work/big.tar.gz" "$work/big-out"

echo
echo "== ratios (ocikit time / peer time; below 1 means ocikit is faster)"
printf 'unpack vs umoci unpack:       %s (target <= 0.5)\n' "$(ratio ocikit-unpack umoci-unpack)"
printf 'unpack vs tar -xzf:           %s\n' "$(ratio ocikit-unpack tar-xzf)"
printf 'pack gzip vs umoci repack:    %s (target <= 0.8)\n' "$(ratio ocikit-pack-gzip umoci-repack)"
printf 'pack zstd vs umoci repack:    %s (target <= 0.3)\n' "$(ratio ocikit-pack-zstd umoci-repack)"
printf 'pack gzip vs tar | gzip:      %s\n' "$(ratio ocikit-pack-gzip tar-gzip)"
printf 'pack zstd vs tar | zstd:      %s\n' "$(ratio ocikit-pack-zstd tar-zstd)"
