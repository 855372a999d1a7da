package dev.ocikit.image;

import dev.ocikit.image.spi.BlobWrite;
import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an image into a {@code dir:} directory. The directory's previous image stays readable
 * until {@link #commit()}, which writes {@code manifest.json} last and then removes the files
 * the new image does not use.
 */
final class DirDestination implements ImageDestination {
    private static final Logger LOG = LoggerFactory.getLogger(DirDestination.class);
    private static final int BUFFER = 128 * 1024;

    private final TransportReference reference;
    private final Path dir;
    /** File names that belong to the image being written. */
    private final Set<String> keep = ConcurrentHashMap.newKeySet();
    private final Set<Digest> stored = ConcurrentHashMap.newKeySet();
    private volatile ManifestBlob top;
    /** Signatures to write at commit, by instance (empty: the top-level manifest). */
    private final Map<Optional<Digest>, List<ImageSignature>> signatures = new LinkedHashMap<>();
    private boolean committed;

    private DirDestination(TransportReference reference, Path dir) {
        this.reference = reference;
        this.dir = dir;
    }

    /**
     * Opens {@code dir} for writing: creates it if needed, refuses a non-empty directory that is
     * not an image directory, and writes the {@code version} file (as skopeo does on open).
     */
    static DirDestination open(TransportReference reference, Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
            throw new ImageLayoutException("cannot write an image into " + dir + ": it is not a directory");
        }
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            String version;
            try {
                version = Files.size(dir.resolve(DirTransport.VERSION_FILE)) > 1024 ? ""
                        : Files.readString(dir.resolve(DirTransport.VERSION_FILE), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                version = null;
            }
            if (!DirTransport.VERSION.equals(version)) {
                throw new ImageLayoutException("refusing to write an image into " + dir + ": it is not empty and not"
                        + " an image directory of the dir: transport (its " + DirTransport.VERSION_FILE
                        + " file does not read \"" + DirTransport.VERSION.strip() + "\"); give an empty or new directory");
            }
        }
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(DirTransport.VERSION_FILE), DirTransport.VERSION.getBytes(StandardCharsets.UTF_8));
        return new DirDestination(reference, dir);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    @Override
    public TransportReference reference() {
        return reference;
    }

    /**
     * Reuses a blob the directory already has (from its previous image), after re-hashing it:
     * nothing in a plain directory vouches for its content.
     */
    @Override
    public Optional<BlobInfo> tryReuseBlob(Descriptor blob) throws IOException {
        Path file = DirTransport.blobPath(dir, blob.digest());
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != blob.size()) {
            return Optional.empty();
        }
        if (!stored.contains(blob.digest())) {
            Digest actual;
            try (InputStream in = Files.newInputStream(file)) {
                actual = Digest.compute(blob.digest().algorithm(), in);
            }
            if (!actual.equals(blob.digest())) {
                LOG.debug("{} in {} is corrupt (hashes to {}); not reused", blob.digest(), dir, actual);
                return Optional.empty();
            }
            stored.add(blob.digest());
        }
        keep.add(file.getFileName().toString());
        return Optional.of(new BlobInfo(blob.digest(), blob.size()));
    }

    @Override
    public BlobInfo putBlob(InputStream content, BlobWrite blob) throws IOException {
        DigestingInputStream in = blob.digest().isPresent()
                ? DigestingInputStream.verifying(content, blob.digest().get(), blob.size())
                : new DigestingInputStream(content, DigestAlgorithm.SHA256);
        Path temp = Files.createTempFile(dir, ".dir-put-blob-", ".tmp");
        boolean published = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(ch)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
                out.flush();
                ch.force(true);
            }
            Digest digest = in.digest();
            if (blob.digest().isEmpty() && blob.size() >= 0 && in.count() != blob.size()) {
                throw new IOException("blob " + digest + " is " + in.count() + " bytes long, but " + blob.size()
                        + " were declared; nothing was stored");
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Path target = DirTransport.blobPath(dir, digest);
            AtomicFiles.move(temp, target);
            published = true;
            stored.add(digest);
            keep.add(target.getFileName().toString());
            return new BlobInfo(digest, in.count());
        } finally {
            if (!published) {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Override
    public void putManifest(ManifestBlob manifest, Optional<Digest> instance) throws IOException {
        Parsed.manifest(manifest.bytes(), Optional.of(manifest.mediaType()));
        if (instance.isPresent()) {
            if (!instance.get().equals(manifest.digest())) {
                throw new DigestMismatchException("manifest given for instance " + instance.get() + " hashes to "
                        + manifest.digest(), instance.get(), manifest.digest());
            }
            Path file = DirTransport.manifestPath(dir, instance);
            AtomicFiles.write(file, manifest.bytes());
            keep.add(file.getFileName().toString());
        } else {
            top = manifest;
        }
    }

    /** Both formats: each is one {@code signature-N} file, in containers/image's one-file form. */
    @Override
    public boolean supportsSignatures(String format) {
        return format.equals(ImageSignature.SIMPLE_SIGNING) || format.equals(ImageSignature.SIGSTORE_JSON);
    }

    /**
     * Keeps the signatures for {@link #commit()}, which writes them as {@code signature-N} before
     * {@code manifest.json}, so that the previous image keeps its own signatures until then.
     */
    @Override
    public synchronized void putSignatures(List<ImageSignature> newSignatures, Optional<Digest> instance) {
        signatures.put(instance, List.copyOf(newSignatures));
    }

    @Override
    public synchronized void commit() throws IOException {
        ManifestBlob manifest = top;
        if (manifest == null) {
            throw new IllegalStateException("commit() before putManifest() of the top-level manifest");
        }
        checkComplete(Parsed.manifest(manifest.bytes(), Optional.of(manifest.mediaType())).model(), manifest.digest());
        keep.add(DirTransport.VERSION_FILE);
        keep.add(DirTransport.MANIFEST_FILE);
        for (Map.Entry<Optional<Digest>, List<ImageSignature>> e : signatures.entrySet()) {
            List<ImageSignature> list = e.getValue();
            for (int i = 0; i < list.size(); i++) {
                Path file = DirTransport.signaturePath(dir, e.getKey(), i + 1);
                AtomicFiles.write(file, list.get(i).blob());
                keep.add(file.getFileName().toString());
            }
        }
        AtomicFiles.write(dir.resolve(DirTransport.VERSION_FILE), DirTransport.VERSION.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(DirTransport.MANIFEST_FILE), manifest.bytes());
        committed = true;
        removeLeftovers();
    }

    /** Every blob and image manifest the new top-level document needs must be in the directory. */
    private void checkComplete(Manifest m, Digest topDigest) throws IOException {
        List<Descriptor> blobs = new ArrayList<>();
        if (m instanceof ImageManifest im) {
            blobs.add(im.config());
            blobs.addAll(im.layers());
        } else if (m instanceof ImageIndex ii) {
            for (Descriptor child : ii.manifests()) {
                Path file = DirTransport.manifestPath(dir, Optional.of(child.digest()));
                if (!keep.contains(file.getFileName().toString())) {
                    throw new BlobUnknownException(child.digest(), "the image directory " + dir + " (an image of index "
                            + topDigest + " was not written; the previous image was kept)");
                }
                Parsed<Manifest> nested = Parsed.manifest(Files.readAllBytes(file), Optional.of(child.mediaType()));
                if (nested.model() instanceof ImageManifest im) {
                    blobs.add(im.config());
                    blobs.addAll(im.layers());
                }
            }
        }
        for (Descriptor d : blobs) {
            boolean present = keep.contains(DirTransport.blobPath(dir, d.digest()).getFileName().toString());
            if (!present && d.urls().isEmpty()) {
                throw new BlobUnknownException(d.digest(), "the image directory " + dir + " (needed by " + topDigest
                        + "; the previous image was kept)");
            }
        }
    }

    /** Deletes the previous image's files and any temporary file an interrupted write left. */
    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!keep.contains(name) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    LOG.trace("removed {} of the previous image in {}", name, dir);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!committed && top != null) {
            LOG.debug("{} closed without commit; the directory keeps its previous image", TransportReference.format(reference));
        }
    }
}
