package dev.ocikit.image.testing;

import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.BlobUnknownException;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageNotFoundException;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.image.Annotations;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.OciLayout;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A bare-bones {@code oci:} transport for tests ({@code DIR[:TAG]}), so that {@code oci-archive:}
 * can be exercised before ocikit's real OCI layout transport is merged. Not registered with
 * ServiceLoader; tests hand it to the oci-archive transport. Reads and writes a flat index.json
 * only (no nested indexes, no locking, no garbage collection).
 */
public final class TestLayoutTransport implements Transport {
    @Override
    public String name() {
        return "oci";
    }

    @Override
    public TransportReference parse(String reference) {
        int colon = reference.indexOf(':');
        return new Ref(this, Path.of(colon < 0 ? reference : reference.substring(0, colon)),
                colon < 0 ? Optional.empty() : Optional.of(reference.substring(colon + 1)));
    }

    record Ref(TestLayoutTransport transport, Path dir, Optional<String> tag) implements TransportReference {
        @Override
        public String withinTransport() {
            return dir + tag.map(t -> ":" + t).orElse("");
        }

        @Override
        public ImageSource openSource() throws IOException {
            ImageIndex index = ImageIndex.parse(Files.readAllBytes(dir.resolve("index.json")));
            List<Descriptor> entries = tag.map(index::manifestsNamed).orElse(index.manifests());
            if (entries.size() != 1) {
                throw new ImageNotFoundException(TransportReference.format(this), entries.size() + " matching images");
            }
            return new Source(this, entries.get(0));
        }

        @Override
        public ImageDestination openDestination() throws IOException {
            Files.createDirectories(dir.resolve("blobs"));
            return new Destination(this);
        }

        Path blob(Digest d) {
            return dir.resolve("blobs").resolve(d.algorithm().id()).resolve(d.encoded());
        }
    }

    private record Source(Ref reference, Descriptor top) implements ImageSource {
        @Override
        public ManifestBlob manifest(Optional<Digest> instance) throws IOException {
            Digest d = instance.orElse(top.digest());
            if (!Files.exists(reference.blob(d))) {
                throw new BlobUnknownException(d, reference.dir().toString());
            }
            byte[] bytes = Files.readAllBytes(reference.blob(d));
            return ManifestBlob.of(bytes, instance.isEmpty() ? top.mediaType() : Parsed.manifest(bytes).mediaType());
        }

        @Override
        public InputStream blob(Descriptor blob) throws IOException {
            return Files.newInputStream(reference.blob(blob.digest()));
        }

        @Override
        public void close() {}
    }

    private static final class Destination implements ImageDestination {
        private final Ref ref;
        private Descriptor top;

        Destination(Ref ref) {
            this.ref = ref;
        }

        @Override
        public TransportReference reference() {
            return ref;
        }

        @Override
        public Optional<BlobInfo> tryReuseBlob(Descriptor blob) throws IOException {
            Path p = ref.blob(blob.digest());
            return Files.exists(p) ? Optional.of(new BlobInfo(blob.digest(), Files.size(p))) : Optional.empty();
        }

        @Override
        public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
            DigestingInputStream in = blob.digest().isPresent()
                    ? DigestingInputStream.verifying(content, blob.digest().get(), blob.size())
                    : new DigestingInputStream(content, DigestAlgorithm.SHA256);
            Path temp = Files.createTempFile(ref.dir(), "blob-", ".partial");
            try {
                try (OutputStream out = Files.newOutputStream(temp)) {
                    in.transferTo(out);
                }
                Path target = ref.blob(in.digest());
                Files.createDirectories(target.getParent());
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                return new BlobInfo(in.digest(), in.count());
            } finally {
                Files.deleteIfExists(temp);
            }
        }

        @Override
        public void putManifest(ManifestBlob manifest, Optional<Digest> instance) throws IOException {
            Path target = ref.blob(manifest.digest());
            Files.createDirectories(target.getParent());
            Files.write(target, manifest.bytes());
            if (instance.isEmpty()) {
                top = Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size());
            }
        }

        @Override
        public void commit() throws IOException {
            List<Descriptor> entries = new ArrayList<>();
            Path indexFile = ref.dir().resolve("index.json");
            if (Files.exists(indexFile)) {
                for (Descriptor d : ImageIndex.parse(Files.readAllBytes(indexFile)).manifests()) {
                    if (ref.tag().isEmpty() || !d.refName().equals(ref.tag())) {
                        entries.add(d);
                    }
                }
            }
            entries.add(ref.tag().map(t -> top.withAnnotation(Annotations.REF_NAME, t)).orElse(top));
            Files.write(ref.dir().resolve(OciLayout.FILE_NAME), OciLayout.CURRENT.toJson());
            Files.write(indexFile, ImageIndex.builder().manifests(entries).build().toJson());
        }

        @Override
        public void close() {}
    }
}
