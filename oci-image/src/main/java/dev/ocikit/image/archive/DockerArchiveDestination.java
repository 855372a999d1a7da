package dev.ocikit.image.archive;

import dev.ocikit.image.internal.OwnedTemp;
import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.LayerInputStream;
import dev.ocikit.image.LayerLimits;
import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Compression;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes one image into a new {@code docker save} archive. Blobs are staged in a private
 * directory next to the archive (layers decompressed as they arrive, their DiffIDs computed on
 * the way); {@link #commit()} writes the tar to a temporary file and renames it into place, so
 * the archive appears whole or not at all. {@link #putBlob} and {@link #tryReuseBlob} are
 * thread-safe.
 */
final class DockerArchiveDestination implements ImageDestination {
    private final DockerArchiveReference reference;
    private final OwnedTemp owned;
    private final Path staging;
    private final Map<Digest, DockerArchiveWriter.Layer> layers = new ConcurrentHashMap<>();
    private final Map<Digest, byte[]> configs = new ConcurrentHashMap<>();
    private final List<DockerArchiveWriter.Image> images = new ArrayList<>();
    private boolean committed;

    private DockerArchiveDestination(DockerArchiveReference reference, OwnedTemp staging) {
        this.reference = reference;
        this.owned = staging;
        this.staging = staging.path();
    }

    static DockerArchiveDestination open(DockerArchiveReference reference) throws IOException {
        Path target = reference.path();
        if (Files.isRegularFile(target) && Files.size(target) > 0) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "docker-archive does not add to or overwrite an existing archive; remove it or write elsewhere");
        }
        Path parent = target.toAbsolutePath().getParent();
        boolean regular = !Files.exists(target) || Files.isRegularFile(target);
        Path where = regular && parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"));
        String prefix = regular && parent != null ? ".ocikit-docker-archive-" : "ocikit-docker-archive-";
        OwnedTemp.sweep(where, prefix); // what a killed write left: a whole image, decompressed
        return new DockerArchiveDestination(reference, OwnedTemp.directory(where, prefix));
    }

    @Override
    public TransportReference reference() {
        return reference;
    }

    /** The archive keeps only config and layers; it takes both formats, Docker's first. */
    @Override
    public List<String> supportedManifestMediaTypes() {
        return List.of(MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_MANIFEST);
    }

    @Override
    public Optional<Compression> desiredLayerCompression() {
        return Optional.of(Compression.NONE);
    }

    @Override
    public Optional<BlobInfo> tryReuseBlob(Descriptor blob) {
        DockerArchiveWriter.Layer layer = layers.get(blob.digest());
        if (layer != null) {
            return Optional.of(new BlobInfo(blob.digest(), layer.blobSize()));
        }
        byte[] config = configs.get(blob.digest());
        return config == null ? Optional.empty() : Optional.of(new BlobInfo(blob.digest(), config.length));
    }

    @Override
    public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
        DigestingInputStream counted = blob.digest().isPresent()
                ? DigestingInputStream.verifying(content, blob.digest().get(), blob.size())
                : new DigestingInputStream(content, DigestAlgorithm.SHA256);
        if (MediaTypes.isConfig(blob.mediaType())) {
            if (blob.size() > DockerArchiveSource.MAX_CONFIG) {
                throw new OciException("config of " + blob.size() + " bytes is larger than the "
                        + DockerArchiveSource.MAX_CONFIG + " a docker-archive config may have");
            }
            byte[] bytes = counted.readNBytes((int) DockerArchiveSource.MAX_CONFIG + 1);
            if (bytes.length > DockerArchiveSource.MAX_CONFIG) {
                throw new OciException("a config larger than " + DockerArchiveSource.MAX_CONFIG
                        + " bytes has no place in a docker-archive");
            }
            counted.transferTo(OutputStream.nullOutputStream());
            configs.put(counted.digest(), bytes);
            return new BlobInfo(counted.digest(), counted.count());
        }
        if (!MediaTypes.isLayer(blob.mediaType())) {
            throw new OciException("docker-archive stores container images only; a blob of type " + blob.mediaType()
                    + " has no place in it");
        }
        Compression declared = MediaTypes.layerCompression(blob.mediaType()).orElseThrow();
        Path temp = Files.createTempFile(staging, "layer-", ".partial");
        try {
            LayerInputStream layer = LayerInputStream.open(counted, declared, LayerLimits.DEFAULT);
            try (OutputStream out = Files.newOutputStream(temp)) {
                layer.transferTo(out);
            }
            counted.transferTo(OutputStream.nullOutputStream()); // the digest is checked at the end
            Digest diffId = layer.diffId();
            Path file = staging.resolve(diffId.encoded() + ".tar");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            layers.put(counted.digest(), new DockerArchiveWriter.Layer(diffId, file, layer.uncompressedSize(),
                    counted.count()));
            return new BlobInfo(counted.digest(), counted.count());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void putManifest(ManifestBlob manifest, Optional<Digest> instance) {
        putManifest(manifest, instance, reference.tag().map(t -> List.of(t.toString())).orElse(List.of()));
    }

    /** Adds the image the manifest describes, with these tags, to what {@link #commit()} writes. */
    void putManifest(ManifestBlob manifest, Optional<Digest> instance, List<String> tags) {
        Parsed<Manifest> parsed = Parsed.manifest(manifest.bytes(), Optional.of(manifest.mediaType()));
        if (instance.isPresent() || !(parsed.model() instanceof ImageManifest image)) {
            throw new OciException("docker-archive " + reference.path() + " stores single images, not an index;"
                    + " copy one platform");
        }
        Descriptor configDescriptor = image.config();
        byte[] config = configs.get(configDescriptor.digest());
        if (config == null || !MediaTypes.isConfig(configDescriptor.mediaType())) {
            throw new OciException("docker-archive needs an image config, and config " + configDescriptor.digest()
                    + " of type " + configDescriptor.mediaType() + " was not written as one");
        }
        List<Digest> diffIds = ImageConfig.parse(config).diffIds();
        if (diffIds.size() != image.layers().size()) {
            throw new OciException("the config lists " + diffIds.size() + " layers but the manifest has "
                    + image.layers().size() + "; such an archive would not load");
        }
        List<DockerArchiveWriter.Layer> ordered = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            Descriptor d = image.layers().get(i);
            DockerArchiveWriter.Layer layer = layers.get(d.digest());
            if (layer == null) {
                throw new OciException("layer " + d.digest() + " was not written before the manifest");
            }
            if (!layer.diffId().equals(diffIds.get(i))) {
                throw new DigestMismatchException("layer " + d.digest() + " decompresses to " + layer.diffId()
                        + " but the config says its DiffID is " + diffIds.get(i), diffIds.get(i), layer.diffId());
            }
            ordered.add(layer);
        }
        images.add(new DockerArchiveWriter.Image(config, ordered, tags));
    }

    @Override
    public void commit() throws IOException {
        if (images.isEmpty()) {
            throw new IllegalStateException("commit before putManifest");
        }
        DockerArchiveWriter.writeTo(reference.path(), images);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        owned.close();
    }

    boolean committed() {
        return committed;
    }
}
