#!/usr/bin/env bash
# Registry copies, ocikit against skopeo, on the corpus image and a real docker-registry on
# loopback, in one run: push (oci layout -> registry) and pull (registry -> oci layout), each
# as a whole CLI process and warm inside one JVM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bench=${BENCH_DIR:-/var/tmp/ocikit-bench}

need=()
for tool in debootstrap umoci skopeo docker-registry curl; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
mkdir -p "$bench"
(cd "$top" && mvn -B -q -ntp package -DskipTests)
. "$here/corpus.sh"

work=$bench/registry; rm -rf "$work"; mkdir -p "$work"
# The CLI as a user starts it: examples/bin/ocikit (its class-data sharing archive is made by the
# first call, below, before anything is timed); OCIKIT_LAUNCH=jar times plain java -jar instead.
if [ "${OCIKIT_LAUNCH:-bin}" = jar ]; then
  cat > "$bench/ocikit" <<EOS
#!/bin/sh
exec java \${OCIKIT_JAVA_OPTS:-} -jar "$top/examples/target/ocikit.jar" "\$@"
EOS
  chmod +x "$bench/ocikit"; ocikit=$bench/ocikit
else
  ocikit=$top/examples/bin/ocikit
fi
"$ocikit" --version >/dev/null
echo "ocikit launched by: $ocikit"

registry_pid=
start_registry() { # a fresh, empty registry each time, so no tool finds blobs already there
  stop_registry
  # the last registry's blobs gone and written back, so that no measurement pays for another's disk writes
  rm -rf "$work"/storage-*; sync
  local dir=$work/storage-$RANDOM; mkdir -p "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$work/config.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $dir
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
  docker-registry serve "$work/config.yml" > "$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && return 0; sleep 0.1; done
  echo "registry did not start" >&2; cat "$work/registry.log" >&2; exit 1
}
stop_registry() { if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; registry_pid=; fi; }
trap stop_registry EXIT

results=()
measure() {
  local name=$1; shift
  local status=0
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" || status=$?
  local out; out=$(tail -1 "$work/$name.time")
  if [ "$status" -ne 0 ]; then echo "$name failed:" >&2; cat "$work/$name.err" >&2; exit 1; fi
  results+=("$name $out")
  printf '%-22s %8s s %10s KiB peak RSS\n' "$name" ${out}
}
secsof() { # the median of a name's measurements
  local want=$1 r n s m
  for r in "${results[@]}"; do read -r n s m <<<"$r"; if [ "$n" = "$want" ]; then echo "$s"; fi; done \
    | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'
}
ratio() { awk -v a="$(secsof "$1")" -v b="$(secsof "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
nocache() { rm -rf /var/lib/containers/cache; } # skopeo's blob-info cache would turn pushes into mounts

L=$corpus/layout
rounds=${ROUNDS:-5}
echo "== $rounds rounds of push (oci layout -> registry, $(du -sh "$L" | cut -f1)) and pull (registry -> oci layout)"
for round in $(seq "$rounds"); do
  start_registry; nocache
  measure skopeo-push skopeo copy -q --dest-tls-verify=false "oci:$L:bench" "docker://127.0.0.1:$port/bench/s:1"
  start_registry
  measure ocikit-push "$ocikit" copy -q --dest-tls-verify=false "oci:$L:bench" "docker://127.0.0.1:$port/bench/o:1"
  start_registry
  "$ocikit" copy -q --dest-tls-verify=false "oci:$L:bench" "docker://127.0.0.1:$port/bench/source:bench"
  nocache; rm -rf "$work/skopeo-pull" "$work/ocikit-pull"
  measure skopeo-pull skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/bench/source:bench" "oci:$work/skopeo-pull:bench"
  measure ocikit-pull "$ocikit" copy -q --src-tls-verify=false "docker://127.0.0.1:$port/bench/source:bench" "oci:$work/ocikit-pull:bench"
done
printf 'medians: skopeo push %s s, ocikit push %s s, skopeo pull %s s, ocikit pull %s s\n' "$(secsof skopeo-push)" \
  "$(secsof ocikit-push)" "$(secsof skopeo-pull)" "$(secsof ocikit-pull)"

echo "== warm, inside one JVM (3 rounds each; the last round is the figure)"
warm() { java -Djdk.httpclient.bufsize=131072 -cp "$top/examples/target/ocikit.jar:$top/benchmarks/target/classes" dev.ocikit.benchmarks.WarmCopy "$@"; }
warm pull "$L:bench" "127.0.0.1:$port" 3 "$work/warm" | tee "$work/warm-pull.txt"
start_registry
warm push "$L:bench" "127.0.0.1:$port" 3 "$work/warm" | tee "$work/warm-push.txt"

echo
echo "== ratios of medians (ocikit wall time / skopeo wall time; target <= 0.8 for the CLI runs)"
printf 'push, CLI:   %s\n' "$(ratio ocikit-push skopeo-push)"
printf 'pull, CLI:   %s\n' "$(ratio ocikit-pull skopeo-pull)"
printf 'push, warm:  %s\n' "$(awk -v a="$(tail -1 "$work/warm-push.txt" | awk '{print $3}')" -v b="$(secsof skopeo-push)" 'BEGIN { printf "%.2f", a / b }')"
printf 'pull, warm:  %s\n' "$(awk -v a="$(tail -1 "$work/warm-pull.txt" | awk '{print $3}')" -v b="$(secsof skopeo-pull)" 'BEGIN { printf "%.2f", a / b }')"
