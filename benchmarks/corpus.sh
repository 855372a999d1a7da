#!/usr/bin/env bash
# Builds the benchmark corpus once under $bench/corpus (sourced by the benchmark scripts):
# a Debian minbase root file system split into 4 layers with whiteouts, a setuid file and hard
# links, plus a ~200 MB compressible layer, as an OCI layout (tag bench); and a 1 GiB layer.
# ---- corpus (built once, kept between runs) ----------------------------------------------------
corpus=$bench/corpus
if [ ! -f "$corpus/done" ]; then
  rm -rf "$corpus"; mkdir -p "$corpus"
  debootstrap --variant=minbase bookworm "$corpus/rootfs" >/dev/null
  L1=$corpus/l1.tar L2=$corpus/l2.tar L3=$corpus/l3.tar L4=$corpus/l4.tar
  # 1: the base without usr/share; 2: usr/share
  tar --xattrs -C "$corpus/rootfs" --exclude=./usr/share -cf "$L1" .
  tar --xattrs -C "$corpus/rootfs" -cf "$L2" ./usr/share
  # 3: changes: whiteouts of a file, a directory and an opaque directory, a setuid file, a hard link
  s=$corpus/l3; mkdir -p "$s/usr/share/doc" "$s/usr/bin" "$s/etc" "$s/opt/app" "$s/usr/share/man"
  touch "$s/usr/share/doc/.wh..wh..opq"; echo "replaced docs" > "$s/usr/share/doc/README"
  touch "$s/usr/bin/.wh.perl" "$s/etc/.wh.motd" "$s/usr/share/man/.wh.man1"
  echo app > "$s/opt/app/run"; chmod 4755 "$s/opt/app/run"; ln "$s/opt/app/run" "$s/opt/app/run2"
  ln -s ../../opt/app/run "$s/usr/bin/app"
  tar --xattrs -C "$s" -cf "$L3" .
  # 4: one large, compressible layer (~200 MB of log-like text)
  mkdir -p "$corpus/l4/var/log"
  seq -f "%012g GET /api/v1/items 200 OK served from cache in 3ms by worker-7" 1 2600000 > "$corpus/l4/var/log/access.log"
  tar -C "$corpus/l4" -cf "$L4" .
  umoci init --layout "$corpus/layout"; umoci new --image "$corpus/layout:bench"
  for l in "$L1" "$L2" "$L3" "$L4"; do umoci raw add-layer --image "$corpus/layout:bench" "$l"; done
  rm -f "$L1" "$L2" "$L3" "$L4"
  # a 1 GiB layer for the small-heap run (half random, half zeros)
  mkdir -p "$corpus/big"
  head -c 536870912 /dev/urandom > "$corpus/big/random.bin"; head -c 536870912 /dev/zero > "$corpus/big/zeros.bin"
  tar -C "$corpus/big" -cf "$corpus/big.tar" .
  umoci init --layout "$corpus/big-layout"; umoci new --image "$corpus/big-layout:big"
  umoci raw add-layer --image "$corpus/big-layout:big" "$corpus/big.tar"; rm -f "$corpus/big.tar"
  touch "$corpus/done"
fi

