package dev.ocikit.image.build;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageTree;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerSource;
import dev.ocikit.image.Unpacker;
import dev.ocikit.image.internal.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * A local tar archive extracted at a directory, as {@code ADD archive.tar /dir} does. The archive
 * goes through the same guarded unpacker as image layers, so a hostile archive cannot write
 * outside the directory it is extracted to.
 */
record TarInput(Path archive, String directory) implements Steps.LayerInput {
    @Override
    public Optional<String> fingerprint() throws IOException {
        Steps.Hasher h = new Steps.Hasher().text("tar " + directory);
        h.tree(archive.toRealPath(), "", true, p -> false);
        return Optional.of(h.hex());
    }

    @Override
    public Steps.Opened open() throws IOException {
        return open(ImageTree::empty);
    }

    @Override
    public Steps.Opened open(Steps.Below below) throws IOException {
        Path tmp = Files.createTempDirectory("ocikit-add-");
        try {
            Path root = tmp.resolve("root");
            Files.createDirectory(root);
            Unpacker.defaults().unpack(List.of(LayerSource.of(archive)), root);
            // A missing directory is made 0755, as Docker does; one the image has keeps its own.
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            LayerContent content = LayerContent.files(List.of(AddedFile.of(root, directory)), below.tree());
            LayerContent chosen = content;
            return new Steps.Opened() {
                @Override
                public LayerContent content() {
                    return chosen;
                }

                @Override
                public void close() throws IOException {
                    FileTrees.deleteRecursively(tmp);
                }
            };
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteRecursively(tmp);
            throw e;
        }
    }
}
