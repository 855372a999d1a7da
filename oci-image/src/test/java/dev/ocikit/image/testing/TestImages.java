package dev.ocikit.image.testing;

import dev.ocikit.image.LayerCodecs;
import dev.ocikit.image.ManifestFormat;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Small, valid, deterministic images made on the spot for tests. */
public final class TestImages {
    private TestImages() {}

    public static final Platform AMD64 = Platform.of("linux", "amd64");
    public static final Platform ARM64 = Platform.of("linux", "arm64", "v8");
    public static final Platform ARM_V7 = Platform.of("linux", "arm", "v7");

    /** One image: its manifest, config and layers. */
    public record Image(ManifestBlob manifest, byte[] config, List<byte[]> layers, List<Digest> diffIds,
            Platform platform) {
        public Parsed<Manifest> parsed() {
            return Parsed.manifest(manifest.bytes(), java.util.Optional.of(manifest.mediaType()));
        }

        public ImageManifest model() {
            return ImageManifest.parse(manifest.bytes());
        }

        /** The descriptor an index lists this image under. */
        public Descriptor descriptor() {
            return Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size()).withPlatform(platform);
        }

        public Map<Digest, byte[]> blobs() {
            Map<Digest, byte[]> all = new LinkedHashMap<>();
            all.put(Digest.sha256(config), config);
            for (byte[] l : layers) {
                all.put(Digest.sha256(l), l);
            }
            return all;
        }
    }

    /** An index and its images. */
    public record Index(ManifestBlob index, List<Image> images) {
        public Parsed<Manifest> parsed() {
            return Parsed.manifest(index.bytes(), java.util.Optional.of(index.mediaType()));
        }
    }

    /** An image of {@code layers} small layers, each a tar with one file whose content depends on {@code seed}. */
    public static Image image(ManifestFormat format, Compression compression, int layers, Platform platform, String seed) {
        List<byte[]> blobs = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        List<Descriptor> descriptors = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            byte[] tar = tar(Map.of("file-" + i + ".txt", seed + " layer " + i + " " + "x".repeat(200 * (i + 1))));
            diffIds.add(Digest.sha256(tar));
            byte[] blob = compress(compression, tar);
            blobs.add(blob);
            descriptors.add(Descriptor.of(format.layerMediaType(compression), blob));
        }
        ImageConfig config = ImageConfig.builder()
                .platform(platform)
                .created(Instant.parse("2024-05-01T10:00:00Z"))
                .diffIds(diffIds)
                .build();
        byte[] configBytes = config.toJson();
        ImageManifest.Builder m = ImageManifest.builder()
                .mediaType(format.manifestMediaType())
                .config(Descriptor.of(format.configMediaType(), configBytes))
                .layers(descriptors);
        if (format == ManifestFormat.OCI) {
            m.annotation("org.opencontainers.image.title", seed);
        }
        byte[] manifest = m.build().toJson();
        return new Image(ManifestBlob.of(manifest, format.manifestMediaType()), configBytes, blobs, diffIds, platform);
    }

    /** An index with one image per platform. */
    public static Index index(ManifestFormat format, Compression compression, List<Platform> platforms) {
        List<Image> images = new ArrayList<>();
        ImageIndex.Builder b = ImageIndex.builder().mediaType(format.indexMediaType());
        for (Platform p : platforms) {
            Image image = image(format, compression, 2, p, p.toString());
            images.add(image);
            b.addManifest(image.descriptor());
        }
        if (format == ManifestFormat.OCI) {
            b.annotation("org.opencontainers.image.title", "test index");
        }
        return new Index(ManifestBlob.of(b.build().toJson(), format.indexMediaType()), images);
    }

    /** A deterministic tar of regular files. */
    public static byte[] tar(Map<String, String> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> f : new java.util.TreeMap<>(files).entrySet()) {
                byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(content.length);
                e.setMode(0100644);
                e.setModTime(FileTime.from(Instant.parse("2024-05-01T10:00:00Z")));
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] compress(Compression compression, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = LayerCodecs.compress(compression, bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
