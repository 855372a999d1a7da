package dev.ocikit.image;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Annotations;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.OciLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OCI image layout written by hand for interop tests: {@code oci-layout}, {@code index.json}
 * naming the manifest with {@code org.opencontainers.image.ref.name}, a manifest, a config with
 * the layers' DiffIDs, and gzip layers in {@code blobs/sha256} through {@link BlobStore}. The
 * layers exercise everything a rootfs can hold: whiteouts (plain and opaque), hard links within
 * and across layers, absolute, relative and dangling symlinks, setuid/setgid/sticky modes, a
 * fifo, a device, user.* and security.capability xattrs, owners, and mtimes (one with
 * nanoseconds).
 */
final class TestImage {
    static final String TAG = "interop";
    /** cap_net_bind_service=ep, VFS_CAP_REVISION_2. */
    static final byte[] CAPABILITY = {1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    final Path layout;
    final List<LayerSource> layers;

    private TestImage(Path layout, List<LayerSource> layers) {
        this.layout = layout;
        this.layers = layers;
    }

    static RawTar.Header dir(String name, int mode, int uid, int gid, long mtime) {
        return RawTar.header(name.endsWith("/") ? name : name + "/", '5').mode(mode).owner(uid, gid).mtime(mtime);
    }

    static RawTar.Header file(String name, int mode, int uid, int gid, long mtime) {
        return RawTar.header(name, '0').mode(mode).owner(uid, gid).mtime(mtime);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The layers, bottom first, as uncompressed tars. */
    static List<byte[]> layerTars() {
        long t1 = 1_600_000_000L;
        long t2 = 1_650_000_000L;
        Map<String, byte[]> capability = Map.of("SCHILY.xattr.security.capability", CAPABILITY);
        Map<String, byte[]> userXattrs = new LinkedHashMap<>();
        userXattrs.put("SCHILY.xattr.user.comment", bytes("notes of user"));
        userXattrs.put("SCHILY.xattr.user.binary", new byte[] {0, 1, (byte) 0xfe, (byte) 0xff});
        Map<String, byte[]> nanoMtime = Map.of("mtime", bytes("1600000000.123456789"));

        byte[] base = new RawTar()
                .entry(dir("bin", 0755, 0, 0, t1), new byte[0])
                .entry(dir("dev", 0755, 0, 0, t1), new byte[0])
                .entry(dir("etc", 0755, 0, 0, t1), new byte[0])
                .entry(dir("home", 0755, 0, 0, t1), new byte[0])
                .entry(dir("home/user", 0750, 1000, 1000, t1), new byte[0], Map.of("SCHILY.xattr.user.dir", bytes("d")))
                .entry(dir("opt", 0755, 0, 0, t1), new byte[0])
                .entry(dir("opt/app", 0755, 0, 0, t1), new byte[0])
                .entry(dir("run", 0755, 0, 0, t1), new byte[0])
                .entry(dir("srv", 02775, 0, 50, t1), new byte[0])
                .entry(dir("tmp", 01777, 0, 0, t1), new byte[0])
                .entry(dir("usr", 0755, 0, 0, t1), new byte[0])
                .entry(dir("usr/bin", 0755, 0, 0, t1), new byte[0])
                .entry(file("etc/passwd", 0644, 0, 0, t1), bytes("root:x:0:0:root:/root:/bin/sh\n"))
                .entry(file("etc/old", 0644, 0, 0, t1), bytes("to be whited out\n"))
                .entry(file("etc/shadow", 0640, 0, 42, t1), bytes("root:*:19000::::::\n"))
                .entry(file("usr/bin/su", 04755, 0, 0, t1), bytes("#!/bin/sh\necho su\n"))
                .entry(file("usr/bin/wall", 02755, 0, 5, t1), bytes("#!/bin/sh\necho wall\n"))
                .entry(file("usr/bin/ping", 0755, 0, 0, t1), bytes("#!/bin/sh\necho ping\n"), capability)
                .entry(file("home/user/notes", 0600, 1000, 1000, t1), bytes("remember\n"), userXattrs)
                .entry(file("home/user/big-ids", 0644, 100000, 100000, t1), bytes("ids\n"))
                .entry(file("opt/app/a", 0644, 0, 0, t1), bytes("a\n"))
                .entry(file("opt/app/b", 0644, 0, 0, t1), bytes("b\n"))
                .entry(file("opt/nanos", 0644, 0, 0, t1), bytes("n\n"), nanoMtime)
                .entry(file("run/lower", 0644, 0, 0, t1), bytes("lower\n"))
                .header(RawTar.header("usr/bin/su2", '1').link("usr/bin/su").mtime(t1))
                .header(RawTar.header("bin/sh", '2').link("/usr/bin/busybox").mtime(t1))
                .header(RawTar.header("lib", '2').link("usr/lib").mtime(t1))
                .header(RawTar.header("etc/localtime", '2').link("../usr/share/zoneinfo/UTC").mtime(t1))
                .header(RawTar.header("etc/dirlink", '2').link("../usr//bin/").mtime(t1))
                .header(RawTar.header("usr/bin/su-link", '2').link("su").owner(1000, 1000).mtime(t1))
                .header(RawTar.header("dev/initctl", '6').mode(0620).owner(0, 5).mtime(t1))
                .header(RawTar.header("dev/null", '3').mode(0666).device(1, 3).mtime(t1))
                .end();
        byte[] middle = new RawTar()
                .entry(dir("etc", 0755, 0, 0, t2), new byte[0])
                .entry(file("etc/.wh.old", 0644, 0, 0, t2), new byte[0])
                .entry(dir("opt/app", 0711, 0, 0, t2), new byte[0])
                .entry(file("opt/app/.wh..wh..opq", 0644, 0, 0, t2), new byte[0])
                .entry(file("opt/app/c", 0644, 0, 0, t2), bytes("c\n"))
                .entry(file("usr/bin/su", 04755, 0, 0, t2), bytes("#!/bin/sh\necho new su\n"))
                .header(RawTar.header("etc/passwd-", '1').link("etc/passwd").mtime(t2))
                .entry(file("srv/data", 0664, 33, 50, t2), bytes("www\n"))
                .end();
        byte[] top = new RawTar()
                .entry(file(".wh.srv", 0644, 0, 0, t2), new byte[0])
                .entry(file("tmp/scratch", 0600, 1000, 1000, t2), bytes("x\n"))
                .entry(file("home/user/.wh.big-ids", 0644, 0, 0, t2), new byte[0])
                // a whiteout of a directory the same layer writes into: only the lower content goes (run/lower)
                .entry(dir("run", 0755, 0, 0, t2), new byte[0])
                .entry(file("run/new", 0644, 0, 0, t2), bytes("new\n"))
                .entry(file(".wh.run", 0644, 0, 0, t2), new byte[0])
                // parents never named: both sides create them 0755
                .entry(file("var/lib/implied/file", 0644, 0, 0, t2), bytes("implied\n"))
                .entry(file("opt/libarchive", 0644, 0, 0, t2), bytes("l\n"),
                        Map.of("LIBARCHIVE.xattr.user.from%20bsdtar", bytes("dmFsdWU")))
                .end();
        return List.of(base, middle, top);
    }

    /**
     * The same image as a layer producer that diffs whole trees (Docker, Buildah, umoci) would
     * write it: each layer names the parent directories of what it changes, with their
     * metadata, and hard links stay within a layer. Snapshots reproduce these exactly.
     */
    static List<byte[]> wellFormedLayerTars() {
        long t1 = 1_600_000_000L;
        long t2 = 1_650_000_000L;
        List<byte[]> layers = layerTars();
        byte[] middle = new RawTar()
                .entry(dir("etc", 0755, 0, 0, t2), new byte[0])
                .entry(file("etc/.wh.old", 0644, 0, 0, t2), new byte[0])
                .entry(file("etc/passwd-", 0644, 0, 0, t2), bytes("root:x:0:0:root:/root:/bin/sh\n"))
                .header(RawTar.header("etc/passwd--", '1').link("etc/passwd-").mtime(t2))
                .entry(dir("opt", 0755, 0, 0, t1), new byte[0])
                .entry(dir("opt/app", 0711, 0, 0, t2), new byte[0])
                .entry(file("opt/app/.wh..wh..opq", 0644, 0, 0, t2), new byte[0])
                .entry(file("opt/app/c", 0644, 0, 0, t2), bytes("c\n"))
                .entry(dir("usr", 0755, 0, 0, t1), new byte[0])
                .entry(dir("usr/bin", 0755, 0, 0, t1), new byte[0])
                .entry(file("usr/bin/su", 04755, 0, 0, t2), bytes("#!/bin/sh\necho new su\n"))
                .entry(dir("srv", 02775, 0, 50, t1), new byte[0])
                .entry(file("srv/data", 0664, 33, 50, t2), bytes("www\n"))
                .end();
        byte[] top = new RawTar()
                .entry(file(".wh.srv", 0644, 0, 0, t2), new byte[0])
                .entry(dir("tmp", 01777, 0, 0, t1), new byte[0])
                .entry(file("tmp/scratch", 0600, 1000, 1000, t2), bytes("x\n"))
                .entry(dir("home", 0755, 0, 0, t1), new byte[0])
                .entry(dir("home/user", 0750, 1000, 1000, t1), new byte[0], Map.of("SCHILY.xattr.user.dir", bytes("d")))
                .entry(file("home/user/.wh.big-ids", 0644, 0, 0, t2), new byte[0])
                .entry(dir("var", 0755, 0, 0, t2), new byte[0])
                .entry(dir("var/lib", 0755, 0, 0, t2), new byte[0])
                .entry(file("var/lib/file", 0644, 0, 0, t2), bytes("var\n"))
                .entry(dir("run", 0755, 0, 0, t2), new byte[0])
                .entry(file("run/new", 0644, 0, 0, t2), bytes("new\n"))
                .entry(file(".wh.run", 0644, 0, 0, t2), new byte[0])
                .end();
        return List.of(layers.get(0), middle, top);
    }

    /** Writes the layout at {@code dir} (which must not exist) with the image tagged {@link #TAG}. */
    static TestImage write(Path dir, List<byte[]> tars) throws IOException {
        BlobStore store = BlobStore.open(dir);
        List<Descriptor> layerDescriptors = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        List<LayerSource> sources = new ArrayList<>();
        for (byte[] tar : tars) {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (OutputStream out = LayerCodecs.compress(Compression.GZIP, gz)) {
                out.write(tar);
            }
            BlobInfo blob = store.put(gz.toByteArray());
            Digest diffId = Digest.sha256(tar);
            layerDescriptors.add(Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, blob.digest(), blob.size()));
            diffIds.add(diffId);
            sources.add(LayerSource.of(store, blob.digest(), Compression.GZIP, diffId));
        }
        ImageConfig config = ImageConfig.builder().architecture("amd64").os("linux").diffIds(diffIds).build();
        byte[] configJson = config.toJson();
        store.put(configJson);
        ImageManifest manifest = ImageManifest.builder()
                .config(Descriptor.of(MediaTypes.OCI_CONFIG, configJson))
                .layers(layerDescriptors)
                .build();
        byte[] manifestJson = manifest.toJson();
        store.put(manifestJson);
        Descriptor named = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifestJson), (long) manifestJson.length,
                List.of(), Map.of(Annotations.REF_NAME, TAG), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
        Files.write(dir.resolve("index.json"), ImageIndex.builder().addManifest(named).build().toJson());
        Files.write(dir.resolve(OciLayout.FILE_NAME), OciLayout.CURRENT.toJson());
        return new TestImage(dir, sources);
    }
}
