package dev.ocikit.image;

import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads an image from a {@code dir:} directory. */
final class DirSource implements ImageSource {
    /** A simple signature is a few hundred bytes; a huge file is not one. */
    static final long MAX_SIGNATURE_SIZE = 4L << 20;

    private final TransportReference reference;
    private final Path dir;

    DirSource(TransportReference reference, Path dir) throws IOException {
        this.reference = reference;
        this.dir = dir;
        if (!Files.isDirectory(dir)) {
            throw new ImageLayoutException("image directory " + dir + " does not exist (or is not a directory)");
        }
    }

    @Override
    public TransportReference reference() {
        return reference;
    }

    @Override
    public ManifestBlob manifest(Optional<Digest> instance) throws IOException {
        Path file = DirTransport.manifestPath(dir, instance);
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > ImageLayout.MAX_MANIFEST_SIZE) {
                throw new MalformedDocumentException("manifest " + file, "", "it is " + size + " bytes, more than the "
                        + ImageLayout.MAX_MANIFEST_SIZE + " ocikit reads");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (instance.isPresent()) {
                throw new BlobUnknownException(instance.get(), "the image directory " + dir);
            }
            throw new ImageLayoutException(dir + " is not an image directory of the dir: transport: it has no "
                    + DirTransport.MANIFEST_FILE);
        }
        // The format keeps no media type beside the manifest: it is what the document says.
        return ManifestBlob.of(bytes, Parsed.manifest(bytes).mediaType());
    }

    @Override
    public InputStream blob(Descriptor blob) throws IOException {
        try {
            return Files.newInputStream(DirTransport.blobPath(dir, blob.digest()));
        } catch (NoSuchFileException e) {
            throw new BlobUnknownException(blob.digest(), "the image directory " + dir);
        }
    }

    /** Reads {@code signature-1}, {@code signature-2}, ... up to the first number missing, as skopeo does. */
    @Override
    public List<ImageSignature> signatures(Optional<Digest> instance) throws IOException {
        List<ImageSignature> signatures = new ArrayList<>();
        for (int n = 1; ; n++) {
            Path file = DirTransport.signaturePath(dir, instance, n);
            try {
                long size = Files.size(file);
                if (size > MAX_SIGNATURE_SIZE) {
                    throw new MalformedDocumentException("signature " + file, "", "it is " + size
                            + " bytes, more than the " + MAX_SIGNATURE_SIZE + " a signature may have");
                }
                signatures.add(ImageSignature.fromBlob(Files.readAllBytes(file), file.toString()));
            } catch (NoSuchFileException e) {
                return signatures;
            }
        }
    }

    @Override
    public void close() {
        // holds nothing open
    }
}
