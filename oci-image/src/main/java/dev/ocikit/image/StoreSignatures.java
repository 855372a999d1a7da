package dev.ocikit.image;

import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.MalformedDocumentException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The signatures the image store keeps, as containers-storage keeps them for Podman, so that a
 * signed image pulled into the store still has its signatures when it is pushed or copied out:
 * {@code <root>/signatures/<algorithm>/<hex>/signature-N}, by the digest of the manifest they sign
 * (immutable content, so nothing else is needed to find them), each file in the one-file form
 * {@code dir:} uses. Thread-safe; writers of the same digest write the same manifest's signatures,
 * and each file is replaced atomically.
 */
final class StoreSignatures {
    private final Path root;

    StoreSignatures(Path storeRoot) {
        this.root = storeRoot.resolve("signatures");
    }

    private Path dir(Digest manifest) {
        return root.resolve(manifest.algorithm().id()).resolve(manifest.encoded());
    }

    /** The signatures of this manifest, in their stored order; none if it has none. */
    List<ImageSignature> read(Digest manifest) throws IOException {
        List<ImageSignature> signatures = new ArrayList<>();
        Path dir = dir(manifest);
        for (int n = 1; ; n++) {
            Path file = dir.resolve("signature-" + n);
            try {
                long size = Files.size(file);
                if (size > DirSource.MAX_SIGNATURE_SIZE) {
                    throw new MalformedDocumentException("signature " + file, "", "it is " + size
                            + " bytes, more than the " + DirSource.MAX_SIGNATURE_SIZE + " a signature may have");
                }
                signatures.add(ImageSignature.fromBlob(Files.readAllBytes(file), file.toString()));
            } catch (NoSuchFileException e) {
                return signatures;
            }
        }
    }

    /** Replaces this manifest's signatures with these (none: removes them). */
    void write(Digest manifest, List<ImageSignature> signatures) throws IOException {
        Path dir = dir(manifest);
        if (!signatures.isEmpty()) {
            Files.createDirectories(dir);
        }
        for (int i = 0; i < signatures.size(); i++) {
            AtomicFiles.write(dir.resolve("signature-" + (i + 1)), signatures.get(i).blob());
        }
        // Files beyond the new count go, highest first, so that a reader never sees a gap before them.
        int last = signatures.size();
        while (Files.exists(dir.resolve("signature-" + (last + 1)))) {
            last++;
        }
        for (int n = last; n > signatures.size(); n--) {
            Files.deleteIfExists(dir.resolve("signature-" + n));
        }
        if (signatures.isEmpty()) {
            deleteIfEmpty(dir);
        }
    }

    /** Removes the signatures of every manifest that is not {@code live} (after a garbage collection). */
    void retainOnly(Predicate<Digest> live) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(root)) {
            for (Path algorithm : algorithms) {
                try (DirectoryStream<Path> manifests = Files.newDirectoryStream(algorithm)) {
                    for (Path dir : manifests) {
                        Digest digest;
                        try {
                            digest = Digest.parse(algorithm.getFileName() + ":" + dir.getFileName());
                        } catch (RuntimeException notOurs) {
                            continue;
                        }
                        if (!live.test(digest)) {
                            write(digest, List.of());
                        }
                    }
                }
            }
        }
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                return;
            }
        } catch (NoSuchFileException gone) {
            return;
        }
        Files.deleteIfExists(dir);
    }
}
