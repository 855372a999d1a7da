package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoredImage;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What the peers say of an image ocikit wrote: {@code skopeo inspect} must read it and agree on
 * its digest, and {@code umoci unpack} must unpack it; the unpacked tree is then checked file by
 * file. Also reads the tar entries of one layer of an OCI layout, to see whiteouts as written.
 */
final class ImageChecks {
    private ImageChecks() {}

    /** A command's standard output, failing the test unless it exits 0 within two minutes. */
    static String exec(String... command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("ocikit-exec", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s exits", List.of(command)).isTrue();
            assertThat(p.exitValue()).as("%s: %s%s", String.join(" ", command), new String(out, StandardCharsets.UTF_8),
                    Files.readString(err)).isZero();
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Writes a store's image out to an OCI layout under {@code tag}, with its digests unchanged. */
    static Path toOciLayout(ImageStore store, String image, Path layout, String tag) throws IOException {
        Copy.from(store.reference(image)).to("oci:" + layout + ":" + tag).preserveDigests().run();
        return layout;
    }

    /** skopeo inspect's JSON for {@code reference} ({@code oci:/dir:tag}, {@code docker://…}). */
    static JsonNode skopeoInspect(String reference, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Tools.require("skopeo").toString(), "inspect"));
        cmd.addAll(List.of(options));
        cmd.add(reference);
        return Json.tree(exec(cmd.toArray(String[]::new)).getBytes(StandardCharsets.UTF_8), "skopeo inspect");
    }

    /** umoci unpacks {@code layout:tag} into {@code bundle}; returns its rootfs. */
    static Path umociUnpack(Path layout, String tag, Path bundle) throws IOException, InterruptedException {
        exec(Tools.require("umoci").toString(), "unpack", "--image", layout + ":" + tag, bundle.toString());
        Path rootfs = bundle.resolve("rootfs");
        assertThat(rootfs).isDirectory();
        return rootfs;
    }

    /**
     * Both peers accept the store's {@code image}: it goes out to an OCI layout under {@code dir},
     * skopeo inspects it and reports the manifest digest the store has, umoci unpacks it.
     *
     * @return the layout (tag {@code it}) and the rootfs umoci unpacked
     */
    static Accepted accepted(ImageStore store, String image, Path dir) throws IOException, InterruptedException {
        StoredImage stored = store.resolve(image);
        Path layout = toOciLayout(store, image, dir.resolve("layout"), "it");
        JsonNode info = skopeoInspect("oci:" + layout + ":it");
        assertThat(info.get("Digest").asText()).as("skopeo's digest of %s", image).isEqualTo(stored.digest().toString());
        ImageManifest manifest = manifest(layout, stored.digest());
        assertThat(info.get("Layers")).as("skopeo's layers").hasSize(manifest.layers().size());
        return new Accepted(layout, stored.digest(), umociUnpack(layout, "it", dir.resolve("bundle")));
    }

    record Accepted(Path layout, Digest manifest, Path rootfs) {
        ImageManifest imageManifest() throws IOException {
            return ImageChecks.manifest(layout, manifest);
        }

        ImageConfig config() throws IOException {
            return ImageConfig.parse(Files.readAllBytes(blob(layout, imageManifest().config().digest())));
        }

        /** The tar entries of the layer that the history entry whose {@code created_by} contains {@code step} made. */
        Map<String, TarArchiveEntry> layerOf(String step) throws IOException {
            int layer = 0;
            for (HistoryEntry h : config().history()) {
                if (h.madeNoLayer()) {
                    continue;
                }
                if (h.createdBy().orElse("").contains(step)) {
                    return entries(blob(layout, imageManifest().layers().get(layer).digest()));
                }
                layer++;
            }
            throw new AssertionError("no history entry with a layer made by \"" + step + "\" in " + config().history());
        }
    }

    static ImageManifest manifest(Path layout, Digest digest) throws IOException {
        return ImageManifest.parse(Files.readAllBytes(blob(layout, digest)));
    }

    static Path blob(Path layout, Digest digest) {
        return layout.resolve("blobs").resolve(digest.algorithm().id()).resolve(digest.encoded());
    }

    /** A layer blob's tar entries by name (gzip or not), in order. */
    static Map<String, TarArchiveEntry> entries(Path blob) throws IOException {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(blob))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip ? new GZIPInputStream(raw) : raw)) {
                TarArchiveEntry e;
                while ((e = tar.getNextTarEntry()) != null) {
                    out.put(e.getName(), e);
                }
            }
        }
        return out;
    }

    /** Every path under {@code root}, relative, directories ending in '/', symlinks not followed. */
    static TreeSet<String> listing(Path root) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        try (var paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                out.add(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? rel + "/" : rel);
            }
        }
        return out;
    }
}
