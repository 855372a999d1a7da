#!/usr/bin/env bash
# Image build, ocikit against buildah bud, on the same context in one run: a Containerfile that
# COPYs a ~50 MB tree and RUNs over it, timed as whole commands
#  1. cold: each tool with an empty store (so an empty layer cache),
#  2. rebuilt with nothing changed (every step from the cache),
#  3. rebuilt with one file of the tree changed (the COPY of the tree and the RUN after it rerun),
# over ROUNDS rounds (a fresh store per tool each round), reporting medians and ratios.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bench=${BENCH_DIR:-/var/tmp/ocikit-bench-build}
rounds=${ROUNDS:-3}
tree_mb=${TREE_MB:-50}
launch=${OCIKIT_LAUNCH:-bin} # bin: examples/bin/ocikit (falls back to java -jar if it cannot build); jar: java -jar

need=()
for tool in buildah runc python3; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
mkdir -p "$bench"
if [ "$(stat -f -c %T "$bench")" = tmpfs ]; then
  echo "BENCH_DIR is on tmpfs; use a disk-backed directory, as a real build context and store are" >&2; exit 1
fi

# the CLI, built when there is no jar or a source or POM is newer than it
jar=$top/examples/target/ocikit.jar
if [ ! -f "$jar" ] || [ -n "$(find "$top" -name target -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
    -newer "$jar" -print -quit)" ]; then
  (cd "$top" && mvn -B -q -ntp package -DskipTests)
fi

# ---- the context: busybox, a Containerfile, and a ~50 MB tree -----------------------------------
# Deterministic (seeded): a few thousand files in nested directories, about half the bytes text of
# a Zipf-distributed vocabulary (compresses about 3:1, like source and docs) and half random (like
# images, archives and jars, which do not compress), sizes log-uniform plus a few MiB-sized blobs.
ctx=$bench/context
rm -rf "$ctx"; mkdir -p "$ctx"
cp /bin/busybox "$ctx/busybox"
cat > "$ctx/Containerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY tree/ /data/
RUN find /data -type f | wc -l > /count
EOF
changed=$(python3 - "$ctx/tree" "$tree_mb" <<'PY'
import math, os, random, sys
root, target = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
rng = random.Random(20240611)
letters = "etaoinshrdlcumwfgypbvkjxqz"
vocab = sorted({"".join(rng.choices(letters, weights=range(26, 0, -1), k=rng.randint(2, 10))) for _ in range(4000)})
rng.shuffle(vocab)
cum, acc = [], 0.0
for i in range(len(vocab)):
    acc += 1.0 / (i + 1)
    cum.append(acc)
def text(n):
    words = rng.choices(vocab, cum_weights=cum, k=n // 5 + 16)
    lines = [" ".join(words[i:i + 11]) for i in range(0, len(words), 11)]
    return ("\n".join(lines).encode()[:n - 1] + b"\n") if n > 0 else b""
def loguniform(lo, hi):
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
dirs = [""]
def grow(path, depth):
    for _ in range(rng.randint(2, 4) if depth < 4 else 0):
        d = os.path.join(path, rng.choice(vocab))
        if d not in dirs:
            dirs.append(d)
            grow(d, depth + 1)
grow("", 0)
for d in dirs:
    os.makedirs(os.path.join(root, d), exist_ok=True)
total, files, texts = 0, 0, []
def write(rel, data):
    global total, files
    with open(os.path.join(root, rel), "wb") as f:
        f.write(data)
    total += len(data); files += 1
while total < target * 0.35:  # a few large binaries, a third of the bytes
    write(os.path.join(rng.choice(dirs), "blob-%d-%s.jar" % (files, rng.choice(vocab))), rng.randbytes(rng.randint(3 << 19, 3 << 20)))
while total < target:
    d = rng.choice(dirs)
    if rng.random() < 0.65:
        rel = os.path.join(d, "%s-%d.%s" % (rng.choice(vocab), files, rng.choice(["txt", "java", "json", "md", "html"])))
        write(rel, text(loguniform(200, 64 << 10)))
        texts.append(rel)
    else:
        rel = os.path.join(d, "%s-%d.%s" % (rng.choice(vocab), files, rng.choice(["bin", "png", "gz"])))
        write(rel, rng.randbytes(loguniform(256, 32 << 10)))
for dirpath, dirnames, filenames in os.walk(root):  # one fixed time for everything
    for n in filenames + dirnames + [""]:
        os.utime(os.path.join(dirpath, n), (1700000000, 1700000000))
deep = [t for t in texts if t.count("/") >= 2] or texts
print(deep[len(deep) // 3])  # the file the third row changes
PY
)
changed=$ctx/tree/$changed
cp -p "$changed" "$bench/changed.orig"
nfiles=$(find "$ctx/tree" -type f | wc -l)
echo "== context: $nfiles files in $(find "$ctx/tree" -type d | wc -l) directories, $(du -sh --apparent-size "$ctx/tree" | cut -f1)" \
  "($(tar -C "$ctx" -cf - tree | gzip -1 | wc -c | awk '{printf "%.0f MB", $1 / 1e6}') as tar | gzip -1); changed file: ${changed#$ctx/}"

# ---- the tools --------------------------------------------------------------------------------
work=$bench/run; rm -rf "$work"; mkdir -p "$work"
ostore=$bench/store-ocikit
bstore=$bench/store-buildah
unmount_under() { # whatever a tool left mounted under $1, innermost first
  local m
  for m in $(awk -v p="$1/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" || true; done
}
fresh_stores() { unmount_under "$ostore"; unmount_under "$bstore"; rm -rf "$ostore" "$bstore"; }

# A probe build (busybox and a RUN) with each tool, which also warms the JVM's class-data archive
# and the page cache for both binaries: ocikit through examples/bin/ocikit (the quick launcher)
# if it builds (and OCIKIT_LAUNCH is not jar), else java -jar; buildah on overlay if that works
# here, else vfs.
# The launcher keeps one class-data archive per cache directory and deletes those of other jars, so
# other checkouts run by the same user would evict it mid-run (the next call then re-records it,
# seconds of extra work): this run keeps its own.
export OCIKIT_CDS_DIR=$bench/cds
probe=$bench/probe; rm -rf "$probe"; mkdir -p "$probe"; cp /bin/busybox "$probe/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "true"]\n' > "$probe/Containerfile"
fresh_stores
if [ "$launch" = jar ]; then
  java -jar "$jar" --root "$ostore" build -t probe:1 "$probe" > "$work/probe-ocikit.log" 2>&1 \
    || { echo "ocikit build fails here:" >&2; cat "$work/probe-ocikit.log" >&2; exit 1; }
  ocikit=(java -jar "$jar")
  launcher="java -jar examples/target/ocikit.jar (OCIKIT_LAUNCH=jar)"
elif "$top/examples/bin/ocikit" --root "$ostore" build -t probe:1 "$probe" > "$work/probe-ocikit.log" 2>&1; then
  ocikit=("$top/examples/bin/ocikit")
  launcher="examples/bin/ocikit"
elif java -jar "$jar" --root "$ostore" build -t probe:1 "$probe" > "$work/probe-ocikit.log" 2>&1; then
  ocikit=(java -jar "$jar")
  launcher="java -jar examples/target/ocikit.jar (examples/bin/ocikit failed, see $work/probe-ocikit.log)"
else
  echo "ocikit build fails here:" >&2; cat "$work/probe-ocikit.log" >&2; exit 1
fi
driver=
for d in overlay vfs; do
  if buildah --root "$bstore/root" --runroot "$bstore/run" --storage-driver "$d" bud --isolation=oci --layers --format oci \
      --network host -t probe:1 "$probe" > "$work/probe-buildah-$d.log" 2>&1; then driver=$d; break; fi
  fresh_stores
done
if [ -z "$driver" ]; then echo "buildah bud fails here:" >&2; cat "$work/probe-buildah-overlay.log" >&2; exit 1; fi
echo "== ocikit: $launcher; buildah $(buildah --version | awk '{print $3}'): storage driver $driver, --isolation=oci"

# Both tools: the same context and Containerfile, tag, OCI format, host network for RUN (ocikit's
# default; buildah's default would add a netavark network namespace to each RUN).
cmd_ocikit=("${ocikit[@]}" --root "$ostore" build --format oci --network host -t bench:1 "$ctx")
cmd_buildah=(buildah --root "$bstore/root" --runroot "$bstore/run" --storage-driver "$driver"
  bud --isolation=oci --layers --format oci --network host -t bench:1 "$ctx")

results=() # "row tool round wall-seconds peak-KiB cpu-seconds"
declare -A image
measure() { # row tool round expected-cache-hits: wall and CPU seconds, peak RSS; output to a log
  local row=$1 tool=$2 round=$3 hits=$4 log=$work/$1-$2-$3 status=0 out got
  local -n cmd=cmd_$tool
  sync # the previous build's dirty pages are written back outside anyone's time
  # CPU is user + system time of the tool and every process it waited for (runc, the RUN commands)
  /usr/bin/time -f "%e %M %U %S" -o "$log.time" "${cmd[@]}" > "$log.log" 2>&1 || status=$?
  out=$(tail -1 "$log.time")
  if [ "$status" -ne 0 ] || ! [[ "$out" =~ ^[0-9.]+\ [0-9]+\ [0-9.]+\ [0-9.]+$ ]]; then
    echo "$row $tool (round $round) failed:" >&2; tail -20 "$log.log" >&2; exit 1
  fi
  got=$(grep -c -- '^--> Using cache' "$log.log" || true)
  if [ "$got" != "$hits" ]; then
    echo "WARNING: $tool $row build took $got steps from the cache, expected $hits (see $log.log)" >&2
  fi
  image[$row-$tool]=$(tail -1 "$log.log")
  out=$(awk '{printf "%s %s %.2f", $1, $2, $3 + $4}' <<<"$out")
  results+=("$row $tool $round $out")
  printf '%-8s %-8s round %d %7s s wall %8s KiB peak RSS %7s s CPU\n' "$row" "$tool" "$round" $out
}

echo "== $rounds rounds; in each, a fresh store per tool, and the tools take turns going first"
for round in $(seq "$rounds"); do
  echo "round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ $((round % 2)) = 1 ]; then order=(ocikit buildah); else order=(buildah ocikit); fi
  cp -p "$bench/changed.orig" "$changed"
  fresh_stores
  for t in "${order[@]}"; do measure cold "$t" "$round" 0; done
  for t in "${order[@]}"; do measure cached "$t" "$round" 4; done
  for t in "${order[@]}"; do
    [ "${image[cached-$t]}" = "${image[cold-$t]}" ] || echo "WARNING: $t's rebuild with nothing changed gave another image" >&2
  done
  printf 'changed in round %d\n' "$round" >> "$changed"
  for t in "${order[@]}"; do measure changed "$t" "$round" 2; done
done

# the images hold what the RUN counted, for both tools
o=$("${ocikit[@]}" --root "$ostore" run --rm localhost/bench:1 /bin/cat /count 2>&1 || true)
B=(buildah --root "$bstore/root" --runroot "$bstore/run" --storage-driver "$driver")
c=$("${B[@]}" from bench:1); b=$("${B[@]}" run --isolation oci "$c" cat /count 2>&1 || true); "${B[@]}" rm "$c" > /dev/null
if [ "$o" = "$nfiles" ] && [ "$b" = "$nfiles" ]; then
  echo "both images hold /count = $nfiles"
else
  echo "WARNING: /count is '$o' in ocikit's image, '$b' in buildah's; the tree has $nfiles files" >&2
fi
du_of() { du -sm "$1" 2>/dev/null | cut -f1; }
echo "store sizes after the last round: ocikit $(du_of "$ostore") MB, buildah $(du_of "$bstore") MB"

median() { sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.2f", a[int((NR+1)/2)]; else print "n/a"}'; }
stat_of() { # row tool column(4 = wall seconds, 5 = peak KiB, 6 = CPU seconds): one value per round
  local r; for r in "${results[@]}"; do echo "$r"; done | awk -v row="$1" -v tool="$2" -v c="$3" '$1 == row && $2 == tool {print $c}'
}
echo
echo "== medians over $rounds rounds (wall and CPU seconds; peak RSS, the largest over the rounds)"
echo "| build | ocikit s | buildah s | ocikit/buildah | ocikit CPU s | buildah CPU s | ocikit peak RSS | buildah peak RSS |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in cold cached changed; do
  case $row in
    cold) label="cold (empty store)" ;; cached) label="rebuild, nothing changed" ;; changed) label="rebuild, one file changed" ;;
  esac
  os=$(stat_of $row ocikit 4 | median); bs=$(stat_of $row buildah 4 | median)
  om=$(stat_of $row ocikit 5 | sort -n | tail -1); bm=$(stat_of $row buildah 5 | sort -n | tail -1)
  oc=$(stat_of $row ocikit 6 | median); bc=$(stat_of $row buildah 6 | median)
  awk -v l="$label" -v a="$os" -v b="$bs" -v oc="$oc" -v bc="$bc" -v om="$om" -v bm="$bm" \
    'BEGIN {printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %d MiB | %d MiB |\n", l, a, b, (b > 0 ? a / b : 0), oc, bc, om / 1024, bm / 1024}'
done
echo "(below 1 means ocikit is faster; load average now $(cut -d' ' -f1-3 /proc/loadavg); logs in $work)"
