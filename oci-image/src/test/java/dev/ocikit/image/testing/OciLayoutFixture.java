package dev.ocikit.image.testing;

import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.OciLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes an OCI image layout by hand (oci-layout, index.json, blobs), so that tests can give
 * skopeo an {@code oci:} source without depending on ocikit's own layout code.
 */
public final class OciLayoutFixture {
    private OciLayoutFixture() {}

    /** A layout at {@code dir} holding {@code image} tagged {@code tag}. */
    public static Path write(Path dir, String tag, TestImages.Image image) {
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.write(dir.resolve(OciLayout.FILE_NAME), OciLayout.CURRENT.toJson());
            for (Map.Entry<Digest, byte[]> b : image.blobs().entrySet()) {
                Files.write(dir.resolve("blobs/sha256/" + b.getKey().encoded()), b.getValue());
            }
            Files.write(dir.resolve("blobs/sha256/" + image.manifest().digest().encoded()), image.manifest().bytes());
            Descriptor entry = Descriptor.of(image.manifest().mediaType(), image.manifest().digest(),
                    image.manifest().size()).withAnnotation("org.opencontainers.image.ref.name", tag);
            Files.write(dir.resolve("index.json"), ImageIndex.builder().addManifest(entry).build().toJson());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
