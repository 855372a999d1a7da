#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine: install what is missing, build the ocikit
# CLI, and show it doing Buildah's, Skopeo's and Podman's jobs on real input, with no daemon.
#
#   bash examples/demo.sh                    # everything local: a store and OCI layouts
#   bash examples/demo.sh localhost:5000     # also push to and pull from that registry (plain HTTP)
set -euo pipefail
cd "$(dirname "$0")/.."
registry=${1:-${OCIKIT_DEMO_REGISTRY:-}}

need=()
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v runc >/dev/null || need+=(runc)
command -v skopeo >/dev/null || need+=(skopeo)
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "ocikit's demo needs: ${need[*]}; install them (apt-get install -y ${need[*]}) and run it again" >&2
    exit 1
  fi
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

echo "Building the ocikit CLI (mvn package)..."
mvn -B -q -ntp package -DskipTests
ocikit() { examples/bin/ocikit "$@"; }   # java -jar examples/target/ocikit.jar, started quicker

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store=$work/store                         # the local image store (default: /var/lib/ocikit as root)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$work|\$WORK|g"; "$@"; }

say "Buildah's job: build an image from scratch with a static busybox, RUN steps through runc"
mkdir -p "$work/ctx/www"
cp /bin/busybox "$work/ctx/busybox"
echo "served from a container" > "$work/ctx/www/index.html"
cat > "$work/ctx/Containerfile" <<'CONTAINERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /etc && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && \
    echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> /etc/passwd && \
    printf 'root:x:0:\nnogroup:x:65534:\n' > /etc/group
ARG GREETING="hello from ocikit"
RUN echo "$GREETING" > /etc/greeting
COPY www /www
CMD ["cat", "/etc/greeting"]
CONTAINERFILE
cat "$work/ctx/Containerfile"
run ocikit --root "$store" build --timestamp 0 -t localhost/demo:1 "$work/ctx"
echo "Built again, every step comes from the layer cache and no container runs:"
run ocikit --root "$store" build --timestamp 0 -t localhost/demo:1 "$work/ctx" | grep -c "Using cache"

say "Skopeo's job: inspect it, copy it to an OCI layout and a docker-archive, every digest verified"
run ocikit inspect "ocikit:[$store]localhost/demo:1"
run ocikit copy "ocikit:[$store]localhost/demo:1" "oci:$work/layout:demo"
run ocikit copy --dest-compress-format zstd "oci:$work/layout:demo" "dir:$work/dir"
run ocikit copy "oci:$work/layout:demo" "docker-archive:$work/demo.tar:localhost/demo:1"
echo "skopeo, a peer, reads what ocikit wrote:"
run skopeo inspect --format '{{.Digest}} {{.Architecture}} {{len .Layers}} layers' "docker-archive:$work/demo.tar"
run ocikit unpack "oci:$work/layout:demo" "$work/bundle"
run runc run --bundle "$work/bundle" demo-unpacked        # the bundle unpack wrote runs as is

say "Podman's job: containers from the local store through runc"
run ocikit --root "$store" images
run ocikit --root "$store" run --rm localhost/demo:1      # prints the greeting
run ocikit --root "$store" run --rm -e WHO=you -u nobody localhost/demo:1 sh -c 'echo "hi $WHO from $(hostname)"; id'
run ocikit --root "$store" run --rm --read-only -m 64m --pids-limit 16 localhost/demo:1 \
  sh -c 'touch /x 2>/dev/null || echo "the root file system is read-only"; cat /sys/fs/cgroup/pids/pids.max'
run ocikit --root "$store" run --rm localhost/demo:1 sh -c 'exit 3' || echo "exit code $? came through"
echo "A server in the background, reached through a port published on 127.0.0.1:"
run ocikit --root "$store" run -d --name web -p 18080:8080 localhost/demo:1 httpd -f -v -p 8080 -h /www
run ocikit --root "$store" ps
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null && break; done
exec 3<>/dev/tcp/127.0.0.1/18080 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && tail -n 1 <&3 && exec 3>&-
run ocikit --root "$store" exec web sh -c 'echo "exec sees: $(ls /www)"'
run ocikit --root "$store" stop -t 1 web
run ocikit --root "$store" logs web
run ocikit --root "$store" rm web
echo "Made now, started later, its exit code and output kept until rm:"
run ocikit --root "$store" create --name job localhost/demo:1 sh -c 'echo "the job ran"; exit 4'
run ocikit --root "$store" start job
run ocikit --root "$store" wait job
run ocikit --root "$store" rm job

say "Buildah's working containers: from, run-in, config, commit"
ctr=$(ocikit --root "$store" from localhost/demo:1)
run ocikit --root "$store" run-in "$ctr" -- sh -c 'echo "changed in a working container" > /etc/greeting'
run ocikit --root "$store" config --label org.opencontainers.image.title=demo "$ctr"
run ocikit --root "$store" working-containers
run ocikit --root "$store" commit --rm "$ctr" localhost/demo:2
run ocikit --root "$store" run --rm localhost/demo:2
run ocikit --root "$store" images

if [ -n "$registry" ]; then
  say "And through the registry at $registry: push, then pull into a fresh store and run"
  run ocikit --root "$store" push --tls-verify=false localhost/demo:1 "docker://$registry/ocikit/demo:1"
  run ocikit --root "$work/store2" pull --tls-verify=false "docker://$registry/ocikit/demo:1"
  run ocikit --root "$work/store2" run --rm "$registry/ocikit/demo:1"
fi

say "Done: an image built, inspected, copied to an OCI layout and a docker-archive, and run, with no daemon"
