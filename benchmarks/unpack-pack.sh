#!/usr/bin/env bash
# Unpack and pack, ocikit against umoci, GNU tar, gzip and zstd, on the same corpus in one run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bench=${BENCH_DIR:-/var/tmp/ocikit-bench}

need=()
for tool in debootstrap umoci zstd python3; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
mkdir -p "$bench"
if [ "$(stat -f -c %T "$bench")" = tmpfs ]; then
  echo "BENCH_DIR is on tmpfs; use a disk-backed directory so all tools race on the same file system" >&2; exit 1
fi

(cd "$top" && mvn -B -q -ntp package -DskipTests)
mkdir -p "$bench"
# The CLI as a user starts it (its class-data sharing archive is made by this first call, before
# anything is timed); OCIKIT_JAVA_OPTS reaches its JVM (the 1 GiB rows below give -Xmx64m).
ocikit=$top/examples/bin/ocikit
"$ocikit" --version >/dev/null

. "$here/corpus.sh"

# ---- measurements ------------------------------------------------------------------------------
work=$bench/run; rm -rf "$work"; mkdir -p "$work"
results=()
measure() { # name command...: wall seconds and peak RSS, page cache dropped first
  local name=$1; shift
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  local out status=0
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" || status=$?
  out=$(tail -1 "$work/$name.time")
  if [ "$status" -ne 0 ] || ! [[ "$out" =~ ^[0-9.]+\ [0-9]+$ ]]; then
    echo "$name failed:" >&2; cat "$work/$name.err" >&2; exit 1
  fi
  results+=("$name $out")
  printf '%-24s %8s s %10s KiB peak RSS\n' "$name" ${out}
}
secsof() { # the median of a name's measurements
  local want=$1 r n s m
  for r in "${results[@]}"; do read -r n s m <<<"$r"; if [ "$n" = "$want" ]; then echo "$s"; fi; done \
    | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'
}
ratio() { awk -v a="$(secsof "$1")" -v b="$(secsof "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# the layers' gzip blobs, for GNU tar (no whiteout handling: a floor, not a peer)
layers=$(python3 - "$corpus/layout" <<'PY'
import json, sys
root = sys.argv[1]
index = json.load(open(root + "/index.json"))
manifest = json.load(open(root + "/blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))
print(" ".join(root + "/blobs/sha256/" + l["digest"].split(":")[1] for l in manifest["layers"]))
PY
)
# a tree's names, types, modes, owners, sizes and link targets
listing() { (cd "$1" && find . -printf '%p %y %m %U %G %s %l\n' | sort); }
# ROUNDS rounds (default 3) of the unpack and pack rows, the medians compared: one run per tool
# moved umoci repack's time by a quarter between runs on the same machine.
rounds=${ROUNDS:-3}
for round in $(seq "$rounds"); do
  echo "== round $round of $rounds: unpack: 4 layers, $(du -sh "$corpus/layout" | cut -f1) compressed, into $work"
  rm -rf "$work/umoci" "$work/ocikit" "$work/tar"
  measure umoci-unpack umoci unpack --image "$corpus/layout:bench" "$work/umoci"
  measure ocikit-unpack "$ocikit" unpack "oci:$corpus/layout:bench" "$work/ocikit"
  mkdir -p "$work/tar"
  measure tar-xzf bash -c 'for b in $1; do tar -xzf "$b" -C "$0"; done' "$work/tar" "$layers"
  # same names, types, modes, owners, sizes and link targets, and the same contents
  if [ "$(listing "$work/umoci/rootfs")" = "$(listing "$work/ocikit/rootfs")" ] \
      && ! diff -rq --no-dereference "$work/umoci/rootfs" "$work/ocikit/rootfs" | grep -v "special file" | grep -q .; then
    echo "ocikit and umoci unpacked the same tree"
  else
    echo "ocikit and umoci unpacked DIFFERENT trees" >&2
  fi

  echo "== round $round of $rounds: pack the unpacked root file system into one layer"
  rootfs=$work/umoci/rootfs
  rm -rf "$work/repack" "$work/repack-bundle" "$work"/*.tar.gz "$work"/*.tar.zst
  measure ocikit-pack-gzip "$ocikit" pack-layer --compression gzip "$rootfs" "$work/ocikit.tar.gz"
  measure ocikit-pack-zstd "$ocikit" pack-layer --compression zstd "$rootfs" "$work/ocikit.tar.zst"
  measure tar-gzip bash -c 'tar -C "$0" -cf - . | gzip > "$1"' "$rootfs" "$work/tar.tar.gz"
  measure tar-zstd bash -c 'tar -C "$0" -cf - . | zstd -q -3 > "$1"' "$rootfs" "$work/tar.tar.zst"
  # zstd on every core, as ocikit compresses: what the C tools alone reach, with nothing hashed
  measure tar-zstd-mt bash -c 'tar -C "$0" -cf - . | zstd -q -3 -T0 > "$1"' "$rootfs" "$work/tar-mt.tar.zst"
  umoci init --layout "$work/repack" >/dev/null; umoci new --image "$work/repack:empty" >/dev/null
  umoci unpack --image "$work/repack:empty" "$work/repack-bundle" >/dev/null
  cp -a "$rootfs/." "$work/repack-bundle/rootfs/"
  measure umoci-repack umoci repack --image "$work/repack:full" "$work/repack-bundle"
done

echo "== a 1 GiB layer with -Xmx64m"
OCIKIT_JAVA_OPTS=-Xmx64m measure ocikit-pack-1g-64m "$ocikit" pack-layer --compression gzip "$corpus/big" "$work/big.tar.gz"
OCIKIT_JAVA_OPTS=-Xmx64m measure ocikit-unpack-1g-64m "$ocikit" unpack "oci:$corpus/big-layout:big" "$work/big-out"
cmp "$corpus/big/random.bin" "$work/big-out/rootfs/random.bin" && echo "1 GiB layer unpacked intact under -Xmx64m"

echo
echo "== ratios of medians (ocikit wall time / peer wall time; below 1 means ocikit is faster)"
printf 'unpack vs umoci unpack:     %s (target <= 0.5)\n' "$(ratio ocikit-unpack umoci-unpack)"
printf 'unpack vs tar -xzf:         %s\n' "$(ratio ocikit-unpack tar-xzf)"
printf 'pack gzip vs umoci repack:  %s (target <= 0.8)\n' "$(ratio ocikit-pack-gzip umoci-repack)"
printf 'pack zstd vs umoci repack:  %s (target <= 0.3)\n' "$(ratio ocikit-pack-zstd umoci-repack)"
printf 'pack gzip vs tar | gzip:    %s\n' "$(ratio ocikit-pack-gzip tar-gzip)"
printf 'pack zstd vs tar | zstd:    %s\n' "$(ratio ocikit-pack-zstd tar-zstd)"
printf 'pack zstd vs tar | zstd -T0: %s\n' "$(ratio ocikit-pack-zstd tar-zstd-mt)"
printf 'tar | zstd -T0 vs umoci repack: %s (the C tools alone, against the 0.3 target)\n' "$(ratio tar-zstd-mt umoci-repack)"
