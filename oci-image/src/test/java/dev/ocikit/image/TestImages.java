package dev.ocikit.image;

import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/** Small images made on the spot for tests, and a minimal copier over the transport SPI. */
final class TestImages {
    private TestImages() {}

    /** A blob and its descriptor. */
    record Blob(Descriptor descriptor, byte[] bytes) {
        Digest digest() {
            return descriptor.digest();
        }
    }

    /** An image: manifest, config and layers. */
    record Image(Parsed<ImageManifest> manifest, Blob config, List<Blob> layers) {
        Descriptor descriptor() {
            return manifest.descriptor();
        }

        List<Blob> blobs() {
            List<Blob> out = new ArrayList<>(layers);
            out.add(config);
            return out;
        }

        Descriptor descriptor(Platform platform) {
            return descriptor().withPlatform(platform);
        }
    }

    /** An image of one gzip layer holding {@code /<seed>.txt}, for {@code linux/amd64}. */
    static Image image(String seed) {
        return image(seed, Platform.of("linux", "amd64"));
    }

    /** An image of one gzip layer holding {@code /<seed>.txt}. */
    static Image image(String seed, Platform platform) {
        byte[] tar = new TarBuilder().dir("etc", 0755).file(seed + ".txt", "content of " + seed + "\n").build();
        byte[] gz = gzip(tar);
        Blob layer = new Blob(Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, gz), gz);
        ImageConfig config = ImageConfig.builder()
                .created(Instant.parse("2024-05-01T10:00:00Z"))
                .platform(platform)
                .addLayer(Digest.sha256(tar), HistoryEntry.of(Instant.parse("2024-05-01T10:00:00Z"), "test " + seed))
                .build();
        Parsed<ImageConfig> parsedConfig = Parsed.serialize(config);
        Blob configBlob = new Blob(parsedConfig.descriptor(), parsedConfig.bytes());
        ImageManifest manifest = ImageManifest.builder()
                .config(configBlob.descriptor())
                .addLayer(layer.descriptor())
                .build();
        return new Image(Parsed.serialize(manifest), configBlob, List.of(layer));
    }

    /** An index of the images, each entry with the platform of its config. */
    static Parsed<ImageIndex> index(List<Platform> platforms, Image... images) {
        ImageIndex.Builder b = ImageIndex.builder();
        for (int i = 0; i < images.length; i++) {
            b.addManifest(images[i].descriptor(platforms.get(i)));
        }
        return Parsed.serialize(b.build());
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes one image through a destination and commits it. */
    static void write(ImageDestination dest, Image image) throws IOException {
        putBlobs(dest, image);
        dest.putManifest(ManifestBlob.of(image.manifest().bytes(), image.manifest().mediaType()), Optional.empty());
        dest.commit();
    }

    /** Writes an index and its images through a destination and commits it. */
    static void write(ImageDestination dest, Parsed<ImageIndex> index, Image... images) throws IOException {
        for (Image image : images) {
            putBlobs(dest, image);
            dest.putManifest(ManifestBlob.of(image.manifest().bytes(), image.manifest().mediaType()),
                    Optional.of(image.manifest().digest()));
        }
        dest.putManifest(ManifestBlob.of(index.bytes(), index.mediaType()), Optional.empty());
        dest.commit();
    }

    static void putBlobs(ImageDestination dest, Image image) throws IOException {
        for (Blob b : image.blobs()) {
            dest.putBlob(new ByteArrayInputStream(b.bytes()), BlobWrite.of(b.descriptor().mediaType(), b.digest(),
                    b.bytes().length));
        }
    }

    /**
     * Copies everything the source's top-level manifest reaches (every image of an index) to the
     * destination and commits; a stand-in for the copy engine. Returns the top-level manifest.
     */
    static ManifestBlob copy(ImageSource src, ImageDestination dst) throws IOException {
        ManifestBlob top = src.manifest(Optional.empty());
        Manifest model = Parsed.manifest(top.bytes(), Optional.of(top.mediaType())).model();
        if (model instanceof ImageIndex index) {
            for (Descriptor child : index.manifests()) {
                ManifestBlob m = src.manifest(Optional.of(child.digest()));
                child.digest().verify(m.bytes());
                copyBlobs(src, dst, (ImageManifest) Parsed.manifest(m.bytes(), Optional.of(m.mediaType())).model());
                dst.putManifest(m, Optional.of(child.digest()));
            }
        } else {
            copyBlobs(src, dst, (ImageManifest) model);
        }
        dst.putManifest(top, Optional.empty());
        dst.commit();
        return top;
    }

    private static void copyBlobs(ImageSource src, ImageDestination dst, ImageManifest m) throws IOException {
        List<Descriptor> blobs = new ArrayList<>(m.layers());
        blobs.add(m.config());
        for (Descriptor d : blobs) {
            if (dst.tryReuseBlob(d).isPresent()) {
                continue;
            }
            try (InputStream in = src.blob(d)) {
                dst.putBlob(in, BlobWrite.of(d.mediaType(), d.digest(), d.size()));
            }
        }
    }
}
