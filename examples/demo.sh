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
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

mvn -B -q -ntp package -DskipTests
ocikit() { examples/bin/ocikit "$@"; }   # java -jar examples/target/ocikit.jar, started quicker

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
mkdir -p "$work/app/etc" "$work/app/bin" "$work/app/www" && echo "hello from ocikit" > "$work/app/etc/greeting"
cp /bin/busybox "$work/app/bin/"
for applet in sh cat echo id ls sleep httpd wget hostname; do ln -s busybox "$work/app/bin/$applet"; done
echo "served from a container" > "$work/app/www/index.html"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$work/app/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$work/app/etc/group"
java -cp examples/target/ocikit.jar dev.ocikit.examples.ImageFromDirectory "$work/app" "$work/layout" demo:1 cat /etc/greeting
ocikit inspect "oci:$work/layout:demo:1"
ocikit copy --dest-compress-format zstd "oci:$work/layout:demo:1" "dir:$work/dir"
ocikit copy "oci:$work/layout:demo:1" "docker-archive:$work/demo.tar:demo:1"
skopeo inspect "docker-archive:$work/demo.tar"       # a peer reads what ocikit wrote
ocikit unpack "oci:$work/layout:demo:1" "$work/bundle"
cat "$work/bundle/rootfs/etc/greeting"
runc run --bundle "$work/bundle" demo-unpacked   # the bundle unpack wrote runs as is

# Podman's job: the image into the local store, then containers from it through runc, no daemon.
store=$work/store
ocikit --root "$store" copy "oci:$work/layout:demo:1" ocikit:localhost/demo:1
ocikit --root "$store" images
ocikit --root "$store" run --rm localhost/demo:1                      # the image's command
ocikit --root "$store" run --rm -e WHO=you -u nobody localhost/demo:1 sh -c 'echo "hi $WHO from $(hostname)"; id'
ocikit --root "$store" run --rm --read-only -m 64m --pids-limit 16 localhost/demo:1 \
  sh -c 'touch /x || echo "read-only root"; cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
ocikit --root "$store" run --rm localhost/demo:1 sh -c 'exit 3' || echo "exit code $? came through"
# A server in the background, reached through a port published on 127.0.0.1.
ocikit --root "$store" run -d --name web -p 18080:8080 localhost/demo:1 sh -c 'echo ready; exec httpd -f -v -p 8080 -h /www'
ocikit --root "$store" ps
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null && break; done
exec 3<>/dev/tcp/127.0.0.1/18080 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && cat <&3 && exec 3>&-
ocikit --root "$store" exec web sh -c 'echo "exec sees: $(ls /www)"'
ocikit --root "$store" stop -t 1 web
ocikit --root "$store" logs web
ocikit --root "$store" rm web
# podman create/start: made now, started later, its exit code and output kept until rm.
ocikit --root "$store" create --name job localhost/demo:1 sh -c 'echo "the job ran"; exit 4'
ocikit --root "$store" start job
ocikit --root "$store" wait job
ocikit --root "$store" logs job
ocikit --root "$store" rm job
ocikit --root "$store" ps -a

# Buildah's job: an image built from a Containerfile, its RUN steps run through runc; built again,
# every step comes from the layer cache and nothing runs.
mkdir -p "$work/ctx" && cp "$work/app/bin/busybox" "$work/ctx/busybox" && echo "built by ocikit" > "$work/ctx/motd"
cat > "$work/ctx/Containerfile" <<'CONTAINERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ARG GREETING=hello
COPY motd /etc/motd
RUN echo "$GREETING from a RUN step" > /etc/greeting && rm /etc/motd
CMD ["cat", "/etc/greeting"]
CONTAINERFILE
ocikit --root "$store" build --timestamp 0 -t localhost/built:1 "$work/ctx"
ocikit --root "$store" run --rm localhost/built:1
ocikit --root "$store" build --timestamp 0 -t localhost/built:1 "$work/ctx" | grep -c "Using cache"   # steps from the cache

# Or step by step, as buildah from / run / config / commit do, on a working container.
ctr=$(ocikit --root "$store" from localhost/built:1)
ocikit --root "$store" run-in "$ctr" -- sh -c 'echo "changed in a working container" > /etc/greeting'
ocikit --root "$store" config --label org.opencontainers.image.title=demo "$ctr"
ocikit --root "$store" working-containers
ocikit --root "$store" commit --rm "$ctr" localhost/built:2
ocikit --root "$store" run --rm localhost/built:2
