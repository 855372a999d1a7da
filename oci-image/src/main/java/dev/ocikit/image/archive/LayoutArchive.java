package dev.ocikit.image.archive;

import dev.ocikit.image.ImageLayout;
import dev.ocikit.spec.image.OciLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Turns an OCI image layout directory into a tar ({@code oci-archive:}) and back. Extraction
 * writes only regular files and directories, at normalised names inside the target directory:
 * a member named with {@code ..} is refused, links are read through (within the archive) and
 * written as plain files, so nothing can be written outside the target. Creation writes members
 * in sorted order with no timestamps or owners, so the same layout gives the same bytes.
 */
final class LayoutArchive {
    private LayoutArchive() {}

    /** Extracts the layout archived at {@code archive} into the empty directory {@code target}. */
    static void extract(Path archive, Path target) throws IOException {
        try (TarArchive tar = TarArchive.open(archive)) {
            if (!tar.unsafeNames().isEmpty()) {
                throw new MalformedArchiveException(archive, "it has members named outside the archive, such as "
                        + tar.unsafeNames().get(0) + "; refused");
            }
            List<String> files = tar.files();
            if (!files.contains(OciLayout.FILE_NAME) || !files.contains("index.json")) {
                throw new MalformedArchiveException(archive, "it is not an OCI image layout: it needs "
                        + OciLayout.FILE_NAME + " and index.json at its top");
            }
            for (String name : files) {
                Path out = target.resolve(name).normalize();
                if (!out.startsWith(target)) {
                    throw new MalformedArchiveException(archive, "member " + name + " leaves the target");
                }
                try {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = tar.open(name)) {
                        Files.copy(in, out);
                    }
                } catch (FileAlreadyExistsException | java.nio.file.NotDirectoryException e) {
                    throw new MalformedArchiveException(archive, "member " + name
                            + " clashes with another member of the same name or a file where a directory must be", e);
                }
            }
        }
    }

    /**
     * Writes the layout in {@code layout} as a tar into {@code out}: what the image-spec defines
     * ({@link ImageLayout#SPEC_ENTRIES}) and nothing of ocikit's working files (locks, pins of
     * writes under way, unfinished blobs), which would also make two archives of one layout differ.
     */
    static void write(Path layout, OutputStream out) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(layout)) {
            walk.filter(p -> !p.equals(layout) && ImageLayout.SPEC_ENTRIES.contains(layout.relativize(p).getName(0).toString()))
                    .forEach(paths::add);
        }
        paths.sort((a, b) -> layout.relativize(a).toString().compareTo(layout.relativize(b).toString()));
        TarArchiveOutputStream tar = Archives.tar(out);
        for (Path p : paths) {
            String name = layout.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Archives.directory(tar, name);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                Archives.file(tar, name, p);
            } else {
                throw new IOException("the layout has " + name + ", which is neither a file nor a directory;"
                        + " it cannot be archived");
            }
        }
        tar.finish();
    }
}
