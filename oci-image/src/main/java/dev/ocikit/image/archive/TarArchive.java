package dev.ocikit.image.archive;

import dev.ocikit.image.LayerCodecs;
import dev.ocikit.image.LayerInputStream;
import dev.ocikit.image.LayerLimits;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Compression;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * A tar file opened for random access to its members by name: the entries are indexed once,
 * and each member is then read straight from its place in the file with positional reads, so
 * several threads can read members at once. A compressed tar (gzip, zstd) or one that is not a
 * regular file (a pipe) is first copied, decompressed, to a temporary file that {@link #close()}
 * deletes.
 *
 * <p>Names are normalised ({@code ./a/b} is {@code a/b}); symbolic and hard links between
 * members are followed, but never out of the archive. Thread-safe once opened.
 */
final class TarArchive implements AutoCloseable {
    private static final int MAX_LINK_HOPS = 16;

    private final Path path;
    private final Optional<Path> temporary;
    private final FileChannel channel;
    private final Map<String, TarArchiveEntry> entries;
    private final List<String> unsafeNames;

    private TarArchive(Path path, Optional<Path> temporary, FileChannel channel, Map<String, TarArchiveEntry> entries,
            List<String> unsafeNames) {
        this.path = path;
        this.temporary = temporary;
        this.channel = channel;
        this.entries = entries;
        this.unsafeNames = List.copyOf(unsafeNames);
    }

    /** Opens {@code path}, which must be a tar, possibly compressed. */
    static TarArchive open(Path path) throws IOException {
        Optional<Path> temporary = Optional.empty();
        Path tar = path;
        try {
            Compression compression = sniff(path);
            if (compression != Compression.NONE || !Files.isRegularFile(path)) {
                temporary = Optional.of(Files.createTempFile("ocikit-archive-", ".tar"));
                tar = temporary.get();
                try (InputStream raw = Files.newInputStream(path);
                        InputStream in = compression == Compression.NONE ? raw
                                : LayerInputStream.open(raw, compression, LayerLimits.DEFAULT);
                        OutputStream out = Files.newOutputStream(tar)) {
                    in.transferTo(out);
                }
            }
            FileChannel channel = FileChannel.open(tar, StandardOpenOption.READ);
            Map<String, TarArchiveEntry> entries = new HashMap<>();
            List<String> unsafe = new ArrayList<>();
            try {
                // TarFile closes the channel it is given; it reads the headers through its own.
                try (TarFile index = new TarFile(FileChannel.open(tar, StandardOpenOption.READ))) {
                    for (TarArchiveEntry e : index.getEntries()) {
                        Optional<String> name = normalize(e.getName());
                        if (name.isPresent()) {
                            entries.put(name.get(), e);
                        } else if (e.getName().contains("..")) {
                            unsafe.add(e.getName());
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw new MalformedArchiveException(path, "not a readable tar file: " + e.getMessage(), e);
            }
            return new TarArchive(path, temporary, channel, entries, unsafe);
        } catch (IOException | RuntimeException e) {
            if (temporary.isPresent()) {
                Files.deleteIfExists(temporary.get());
            }
            throw e;
        }
    }

    private static Compression sniff(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return Compression.NONE; // cannot peek at a pipe without consuming it; copied as is
        }
        byte[] head = new byte[6];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        }
        try {
            return LayerCodecs.detect(head, n);
        } catch (OciException e) {
            throw new MalformedArchiveException(path, e.getMessage(), e);
        }
    }

    /**
     * The canonical form of a member name: no leading {@code ./} or {@code /}, no {@code .}
     * components, no trailing slash; empty if it has {@code ..} components or is the root.
     */
    static Optional<String> normalize(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                return Optional.empty();
            }
            parts.addLast(part);
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("/", parts));
    }

    /**
     * A link target as a member name: {@code ..} steps back a directory, as the file system
     * would; empty if it steps out of the archive's top.
     */
    static Optional<String> within(String target) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return Optional.empty();
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("/", parts));
    }

    /** The archive as the user named it. */
    Path path() {
        return path;
    }

    /** Whether a regular file (possibly behind links) of that name is in the archive. */
    boolean has(String name) {
        try {
            return resolve(name).isPresent();
        } catch (MalformedArchiveException e) {
            return false;
        }
    }

    /** The names of the members that are regular files or links to them, sorted. */
    List<String> files() {
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, TarArchiveEntry> e : entries.entrySet()) {
            TarArchiveEntry entry = e.getValue();
            if (entry.isFile() || entry.isSymbolicLink() || entry.isLink()) {
                require(e.getKey());
                files.add(e.getKey());
            }
        }
        files.sort(null);
        return files;
    }

    /** Member names with {@code ..} components, which {@link #files()} leaves out. */
    List<String> unsafeNames() {
        return unsafeNames;
    }

    /** The size of a regular file member. */
    long size(String name) {
        return require(name).getSize();
    }

    /** Reads a small member whole, refusing one larger than {@code max} bytes. */
    byte[] readAll(String name, long max, String what) throws IOException {
        TarArchiveEntry e = require(name);
        if (e.getSize() > max) {
            throw new MalformedArchiveException(path, what + " " + name + " is " + e.getSize()
                    + " bytes, more than the " + max + " allowed");
        }
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        }
    }

    /** Opens a regular file member. The caller closes the stream; closing it releases nothing shared. */
    InputStream open(String name) {
        TarArchiveEntry e = require(name);
        return new Slice(e.getDataOffset(), e.getSize());
    }

    private TarArchiveEntry require(String name) {
        return resolve(name).orElseThrow(() -> new MalformedArchiveException(path, "it has no file " + name));
    }

    private Optional<TarArchiveEntry> resolve(String name) {
        Optional<String> current = normalize(name);
        for (int hop = 0; hop <= MAX_LINK_HOPS && current.isPresent(); hop++) {
            TarArchiveEntry e = entries.get(current.get());
            if (e == null) {
                return Optional.empty();
            }
            if (e.isSymbolicLink()) {
                String link = e.getLinkName();
                String dir = current.get().contains("/") ? current.get().substring(0, current.get().lastIndexOf('/') + 1) : "";
                current = within(link.startsWith("/") ? link : dir + link);
                if (current.isEmpty()) {
                    throw new MalformedArchiveException(path, name + " links to " + link + ", outside the archive");
                }
                continue;
            }
            if (e.isLink()) {
                current = within(e.getLinkName());
                if (current.isEmpty()) {
                    throw new MalformedArchiveException(path, name + " links to " + e.getLinkName()
                            + ", outside the archive");
                }
                continue;
            }
            if (!e.isFile() || e.isSparse()) {
                throw new MalformedArchiveException(path, name + " is not a regular file");
            }
            return Optional.of(e);
        }
        if (current.isPresent()) {
            throw new MalformedArchiveException(path, name + " is behind more than " + MAX_LINK_HOPS + " links");
        }
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            if (temporary.isPresent()) {
                Files.deleteIfExists(temporary.get());
            }
        }
    }

    /** A member's bytes, read with positional reads so that slices never disturb each other. */
    private final class Slice extends InputStream {
        private long position;
        private final long end;

        Slice(long offset, long size) {
            this.position = offset;
            this.end = offset + size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            int want = (int) Math.min(len, end - position);
            int n = channel.read(ByteBuffer.wrap(b, off, want), position);
            if (n < 0) {
                throw new EOFException("archive " + path + " ends inside a member");
            }
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, end - position));
            position += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - position);
        }
    }
}
