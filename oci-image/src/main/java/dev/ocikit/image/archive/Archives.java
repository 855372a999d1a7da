package dev.ocikit.image.archive;

import dev.ocikit.image.internal.OwnedTemp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File helpers the archive transports share: atomic publication, deterministic tar entries, cleanup. */
final class Archives {
    private static final Logger LOG = LoggerFactory.getLogger(Archives.class);
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    private Archives() {}

    /** Something that writes an archive's bytes. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} whole or not at all: a regular file (or a path that does not exist
     * yet) is written to a temporary file beside it, flushed to disk and renamed over it; a pipe
     * or device is written straight to.
     */
    static void publish(Path target, Body body) throws IOException {
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
                body.writeTo(out);
            }
            return;
        }
        Path parent = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + "-";
        OwnedTemp.sweep(parent, prefix, ".partial"); // what a killed write of this archive left
        try (OwnedTemp owned = OwnedTemp.file(parent, prefix, ".partial")) {
            Path temp = owned.path();
            FileChannel ch = owned.channel();
            OutputStream out = Channels.newOutputStream(ch);
            body.writeTo(out);
            out.flush();
            ch.force(true);
            Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot publish " + target + " atomically: " + e.getMessage(), e);
            }
            try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                LOG.trace("fsync of {} not supported: {}", parent, e.toString());
            }
        }
    }

    /** A tar stream that writes long names and large sizes as PAX, as Go's archive/tar does. */
    static TarArchiveOutputStream tar(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    /** A header with no host details: owner 0:0 without names, time 0. */
    private static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setModTime(EPOCH);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        e.setMode(mode);
        return e;
    }

    static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, 040755));
        tar.closeArchiveEntry();
    }

    static void file(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, 0100644);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    static void file(TarArchiveOutputStream tar, String name, Path content) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, 0100644);
        long size = Files.size(content);
        e.setSize(size);
        tar.putArchiveEntry(e);
        try (InputStream in = Files.newInputStream(content)) {
            long copied = in.transferTo(tar);
            if (copied != size) {
                throw new IOException(content + " changed size while it was archived");
            }
        }
        tar.closeArchiveEntry();
    }
}
