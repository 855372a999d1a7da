package dev.ocikit.image.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Hand-made tars for archive tests, hostile names included (written as given). */
final class TarFixture {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    TarFixture() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    TarFixture file(String name, byte[] content) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            e.setSize(content.length);
            e.setMode(0100644);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    TarFixture file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    TarFixture symlink(String name, String target) {
        return link(name, target, TarConstants.LF_SYMLINK);
    }

    TarFixture hardlink(String name, String target) {
        return link(name, target, TarConstants.LF_LINK);
    }

    private TarFixture link(String name, String target, byte type) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    byte[] bytes() {
        try {
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    Path writeTo(Path path) {
        try {
            Files.write(path, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }
}
