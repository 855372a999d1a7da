#!/usr/bin/env bash
# Time to the first test line of a JUnit class with one container, against podman: in one run,
#  - oci-junit: a JVM launched on a test class (dev.ocikit.benchmarks.junit.HttpdFirstTest) whose
#    @Container is busybox httpd, ready when GET / answers 200, and whose test prints a marker
#    line first: from the JVM's launch to that line, and to the JVM's exit (container removed);
#  - podman: `podman run -d -p` of the same image, then curl every 20 ms until GET / answers 200,
#    then `podman rm -f`: from the launch of podman run to the 200, and to the end of the rm;
#  - the JVM and JUnit's own share: the same launch of a test class without containers.
# Cold: a fresh store with the image already in it (the image build and copy are not timed);
# warm: the next start from the same store. ROUNDS rounds (default 5), medians and ratios.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bench=${BENCH_DIR:-/var/tmp/ocikit-bench-junit}
rounds=${ROUNDS:-5}
java_opts=${JAVA_OPTS:-} # for the test JVM; empty: the JVM's defaults, as a build tool's test fork has them
image=localhost/bench/httpd:1

need=()
for tool in runc podman curl python3; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
mkdir -p "$bench"
if [ "$(stat -f -c %T "$bench")" = tmpfs ]; then
  echo "BENCH_DIR is on tmpfs; use a disk-backed directory, as a real store is" >&2; exit 1
fi

# the CLI (to build and copy the image) and the benchmark's test class path, built when missing or
# when a source or POM is newer; the class path names the reactor's own jars, not ~/.m2's
jar=$top/examples/target/ocikit.jar
cpfile=$here/target/classpath.txt
if [ ! -f "$jar" ] || [ ! -f "$cpfile" ] || [ -n "$(find "$top" -name target -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
    -newer "$cpfile" -print -quit)" ]; then
  (cd "$top" && mvn -B -q -ntp package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
fi
cp=$here/target/classes:$(cat "$cpfile")
ocikit() { java -jar "$jar" "$@"; }

# ---- the image: static busybox and a one-page site, httpd in the foreground on 8080 -------------
ctx=$bench/context; rm -rf "$ctx"; mkdir -p "$ctx/www"
cp /bin/busybox "$ctx/busybox"
echo '<h1>hello from busybox httpd</h1>' > "$ctx/www/index.html"
cat > "$ctx/Containerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
COPY www /www
ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
EOF
rm -rf "$bench/template" "$bench/layout" "$bench/httpd.tar"
ocikit --root "$bench/template" build -t "$image" "$ctx" > "$bench/build.log" 2>&1 || { cat "$bench/build.log" >&2; exit 1; }
ocikit --root "$bench/template" copy -q "ocikit:$image" "oci:$bench/layout:httpd"
ocikit --root "$bench/template" copy -q "ocikit:$image" "docker-archive:$bench/httpd.tar:$image"

# ---- the two sides ------------------------------------------------------------------------------
work=$bench/run; rm -rf "$work"; mkdir -p "$work"
ostore=$bench/store-ocikit
P=(podman --root "$bench/podman/root" --runroot "$bench/podman/run" --storage-driver overlay)
# podman asks for nofile/nproc limits above this host's hard limits, which root cannot raise here;
# -t 0 on rm: kill at once, as oci-junit stops a test's container (httpd as PID 1 ignores SIGTERM,
# so podman's default would wait 10 s)
podman_run=(run -d --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
unmount_under() { # whatever a tool left mounted under $1, innermost first
  local m
  for m in $(awk -v p="$1/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" || true; done
}
fresh_ocikit() { # a new store holding the image (copied, not timed)
  unmount_under "$ostore"; rm -rf "$ostore"
  ocikit --root "$ostore" copy -q "oci:$bench/layout:httpd" "ocikit:$image"
}
fresh_podman() { # a new podman root holding the image (podman load of ocikit's docker-archive, not timed)
  "${P[@]}" rm -a -f -t 0 > /dev/null 2>&1 || true
  unmount_under "$bench/podman"; rm -rf "$bench/podman"
  "${P[@]}" load -q -i "$bench/httpd.tar" > "$work/podman-load.log" 2>&1 || { cat "$work/podman-load.log" >&2; exit 1; }
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_us() { echo "${EPOCHREALTIME/./}"; } # bash's clock, no fork

results=$work/results # "row tool round first-ms end-ms"
: > "$results"
record() { # row tool round t0 first end (microseconds)
  awk -v r="$1" -v t="$2" -v n="$3" -v a="$4" -v b="$5" -v c="$6" \
    'BEGIN {printf "%s %s %s %.1f %.1f\n", r, t, n, (b - a) / 1000, (c - a) / 1000}' | tee -a "$results" \
    | awk '{printf "%-8s %-8s round %s %8s ms to ready/first line %8s ms to the end\n", $1, $2, $3, $4, $5}'
}

junit() { # row round class label: a JVM on the test class, timed to its marker line and to its exit
  local row=$1 round=$2 class=$3 log=$work/$1-junit-$2.log t0 t1 t2
  sync
  t0=$(now_us)
  # shellcheck disable=SC2086
  java $java_opts -Docikit.store="$ostore" -Dbench.image="$image" -cp "$cp" dev.ocikit.benchmarks.JunitRun "$class" \
    > "$log" 2>&1 || { echo "the $row JUnit run (round $round) failed:" >&2; tail -30 "$log" >&2; exit 1; }
  t2=$(now_us)
  t1=$(awk '$1 == "FIRST-TEST-LINE" {print $2; exit}' "$log"); t1=${t1%???} # nanoseconds to microseconds
  grep -q '^tests found 1, succeeded 1,' "$log" || { echo "the $row JUnit run (round $round) ran no test:" >&2; cat "$log" >&2; exit 1; }
  record "$row" "$4" "$round" "$t0" "$t1" "$t2"
}

podman_start() { # row round: podman run -d, curl until 200, podman rm -f
  local row=$1 round=$2 log=$work/$1-podman-$2.log port id t0 t1 t2 code
  port=$(free_port)
  sync
  t0=$(now_us)
  id=$("${P[@]}" "${podman_run[@]}" -p "127.0.0.1:$port:8080" "$image" 2> "$log") \
    || { echo "podman run (round $round) failed:" >&2; cat "$log" >&2; exit 1; }
  while code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/"); [ "$code" != 200 ]; do
    if [ $(( $(now_us) - t0 )) -gt 60000000 ]; then
      echo "podman's container did not answer 200 in 60 s (last: $code):" >&2; "${P[@]}" logs "$id" >&2; exit 1
    fi
    sleep 0.02
  done
  t1=$(now_us)
  "${P[@]}" rm -f -t 0 "$id" >> "$log" 2>&1
  t2=$(now_us)
  record "$row" podman "$round" "$t0" "$t1" "$t2"
}

# one untimed run of each, so that both binaries and the JDK are in the page cache
fresh_ocikit; fresh_podman
junit probe 0 dev.ocikit.benchmarks.junit.HttpdFirstTest ocikit > /dev/null
podman_start probe 0 > /dev/null
: > "$results"

echo "== $rounds rounds; in each, a fresh store per tool (cold) then a second start from it (warm); the tools take turns going first"
echo "   $(java -version 2>&1 | head -1); JAVA_OPTS='${java_opts}'; $(podman --version); runc $(runc --version | awk 'NR == 1 {print $3}')"
for round in $(seq "$rounds"); do
  echo "round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ $((round % 2)) = 1 ]; then order=(ocikit podman); else order=(podman ocikit); fi
  for t in "${order[@]}"; do
    if [ "$t" = ocikit ]; then
      fresh_ocikit
      junit cold "$round" dev.ocikit.benchmarks.junit.HttpdFirstTest ocikit
      junit warm "$round" dev.ocikit.benchmarks.junit.HttpdFirstTest ocikit
    else
      fresh_podman
      podman_start cold "$round"
      podman_start warm "$round"
    fi
  done
  junit baseline "$round" dev.ocikit.benchmarks.junit.NoContainerTest jvm
done

# nothing left behind: no container of either tool
left=$(ocikit --root "$ostore" ps -a -q | wc -l)
pleft=$("${P[@]}" ps -a -q | wc -l)
[ "$left" = 0 ] && [ "$pleft" = 0 ] || echo "WARNING: containers left behind: ocikit $left, podman $pleft" >&2

median() { sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.0f", a[int((NR+1)/2)]; else print "n/a"}'; }
stat_of() { awk -v row="$1" -v tool="$2" -v c="$3" '$1 == row && $2 == tool {print $c}' "$results" | median; }
echo
echo "== medians over $rounds rounds, in ms from the launch (of the test JVM; of podman run -d)"
echo "| start | oci-junit: first test line | podman run -d: HTTP 200 | ratio | oci-junit: JVM exit | podman: after rm -f | ratio |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in cold warm; do
  case $row in cold) label="cold (fresh store, image in it)" ;; warm) label="warm (second start, same store)" ;; esac
  a=$(stat_of $row ocikit 4); b=$(stat_of $row podman 4); c=$(stat_of $row ocikit 5); d=$(stat_of $row podman 5)
  awk -v l="$label" -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
    'BEGIN {printf "| %s | %d | %d | %.2f | %d | %d | %.2f |\n", l, a, b, a / b, c, d, c / d}'
done
a=$(stat_of baseline jvm 4); c=$(stat_of baseline jvm 5)
echo "| JVM + JUnit alone (a test class without containers) | $a | | | $c | | |"
echo "(ratios above 1: oci-junit slower; the JVM + JUnit row is the share of the oci-junit columns that is not the container;"
echo " load average now $(cut -d' ' -f1-3 /proc/loadavg); logs in $work)"
