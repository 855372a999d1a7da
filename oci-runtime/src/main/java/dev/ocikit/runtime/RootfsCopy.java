package dev.ocikit.runtime;

import com.sun.jna.LastErrorException;
import dev.ocikit.image.AddedFile;
import dev.ocikit.image.internal.LibC;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies host files into a container's root file system (mounted, or a plain copy), as
 * {@code buildah copy} does, with {@link AddedFile}'s rules: a directory's contents go into the
 * destination; a destination ending in {@code /}, or naming a directory that exists, receives a
 * file under its own name; a relative destination is taken from the working directory; missing
 * parents are made {@code 0755 root:root}. Owner, mode and time are the source's unless the
 * {@link AddedFile} overrides them. Symbolic links in the container's tree are followed inside
 * its root, never out of it; symbolic links among the sources are copied as links. Nothing may run
 * in the container meanwhile.
 */
final class RootfsCopy {
    private static final Logger LOG = LoggerFactory.getLogger(RootfsCopy.class);

    private RootfsCopy() {}

    static void copy(Path root, String workdir, List<AddedFile> files) throws IOException {
        for (AddedFile f : files) {
            copy(root, workdir, f);
        }
    }

    private static void copy(Path root, String workdir, AddedFile f) throws IOException {
        Path source = f.source().toAbsolutePath().normalize();
        if (!Files.exists(source)) {
            throw new ContainerException("cannot copy " + source + ": it does not exist");
        }
        String destination = BuildRun.absoluteWorkdir(workdirConfig(workdir), f.destination());
        Predicate<Path> excluded = f.exclude().orElse(p -> false);
        if (Files.isDirectory(source)) {
            Path target = directory(root, destination);
            copyChildren(source, target, f, excluded);
            return;
        }
        boolean intoDirectory = destination.endsWith("/");
        if (!intoDirectory) {
            List<String> parts = MountPoints.resolve(root, destination);
            Path existing = join(root, parts);
            intoDirectory = Files.isDirectory(existing, LinkOption.NOFOLLOW_LINKS);
        }
        Path target;
        if (intoDirectory) {
            target = directory(root, destination).resolve(source.getFileName().toString());
        } else {
            String trimmed = destination.replaceAll("/+$", "");
            int slash = trimmed.lastIndexOf('/');
            target = directory(root, trimmed.substring(0, slash + 1)).resolve(trimmed.substring(slash + 1));
        }
        entry(source, target, f);
    }

    private static dev.ocikit.spec.image.ContainerConfig workdirConfig(String workdir) {
        return dev.ocikit.spec.image.ContainerConfig.builder().workingDir(workdir).build();
    }

    /** {@code containerPath} as a directory of the root, its missing components made. */
    private static Path directory(Path root, String containerPath) throws IOException {
        Path p = root;
        for (String c : MountPoints.resolve(root, containerPath)) {
            p = p.resolve(c);
            BasicFileAttributes a = attributes(p);
            if (a == null) {
                Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x")); // past the umask
            } else if (!a.isDirectory()) {
                throw new ContainerException("cannot copy into " + containerPath + ": " + root.relativize(p)
                        + " in the container is not a directory");
            }
        }
        return p;
    }

    private static void copyChildren(Path sourceDir, Path targetDir, AddedFile f, Predicate<Path> excluded)
            throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(sourceDir)) {
            s.forEach(children::add);
        }
        children.sort(null);
        for (Path child : children) {
            if (excluded.test(child)) {
                continue;
            }
            entry(child, targetDir.resolve(child.getFileName().toString()), f);
        }
    }

    /** Copies one entry (a directory with what it holds) to {@code target}, replacing a non-directory there. */
    private static void entry(Path source, Path target, AddedFile f) throws IOException {
        BasicFileAttributes s = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes t = attributes(target);
        if (s.isDirectory()) {
            if (t != null && !t.isDirectory()) {
                Files.delete(target);
                t = null;
            }
            if (t == null) {
                Files.createDirectory(target);
            }
            copyChildren(source, target, f, f.exclude().orElse(p -> false));
        } else {
            if (t != null && t.isDirectory()) {
                throw new ContainerException("cannot copy " + source + " to " + target.getFileName()
                        + ": a directory of that name exists in the container");
            }
            if (t != null) {
                Files.delete(target);
            }
            if (s.isSymbolicLink()) {
                Files.createSymbolicLink(target, Files.readSymbolicLink(source));
            } else if (s.isRegularFile()) {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            } else {
                LOG.warn("not copying {}: only files, directories and symbolic links are copied", source);
                return;
            }
        }
        metadata(source, target, s, f);
    }

    private static void metadata(Path source, Path target, BasicFileAttributes s, AddedFile f) throws IOException {
        int uid = f.uid().map(Long::intValue).orElse((Integer) Files.getAttribute(source, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        int gid = f.gid().map(Long::intValue).orElse((Integer) Files.getAttribute(source, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        Files.setAttribute(target, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        if (!s.isSymbolicLink()) {
            // after the chown, which clears setuid and setgid bits
            int mode = f.mode().orElse((Integer) Files.getAttribute(source, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
            try {
                LibC.chmod(target.toString(), mode);
            } catch (LastErrorException e) {
                throw new IOException("cannot set the mode of " + target + ": errno " + e.getErrorCode(), e);
            }
        }
        FileTime mtime = f.mtime().map(FileTime::from).orElse(s.lastModifiedTime());
        Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(mtime, null, null);
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }
}
