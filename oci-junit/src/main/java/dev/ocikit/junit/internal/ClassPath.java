package dev.ocikit.junit.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The class path a helper JVM needs to run this JVM's classes. Test runners often start tests
 * with a single "manifest-only" jar whose {@code Class-Path} names the real entries, and may
 * delete it when the tests end: a helper that outlives them needs the real entries. And since a
 * JVM reads its jars lazily, a helper that outlives a build must not see them replaced (a later
 * {@code mvn install} of a snapshot): {@link #isolated} gives it entries of its own.
 */
final class ClassPath {
    private ClassPath() {}

    /**
     * This JVM's class path made the helper's own under {@code dir} (created; its owner deletes it
     * when done): each jar hard-linked there (copied across file systems), so that a jar replaced
     * at its original place later stays as it was for the helper; each directory holding ocikit's
     * classes copied (a build's {@code target/classes}); other directories (the tests' own
     * classes) left out, since the helper runs only ocikit's code.
     */
    static String isolated(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : ofThisJvm().split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path source = Path.of(entry);
            Path target = dir.resolve(n++ + "-" + (source.getFileName() == null ? "root" : source.getFileName()));
            if (Files.isRegularFile(source)) {
                try {
                    Files.createLink(target, source);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(source, target);
                }
                entries.add(target.toString());
            } else if (Files.isDirectory(source.resolve("dev").resolve("ocikit"))) {
                LaunchDefinition.copyTree(source, target);
                entries.add(target.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** This JVM's class path, each manifest-only jar replaced by the entries its manifest names. */
    static String ofThisJvm() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            entries.addAll(expand(Path.of(entry)));
        }
        return String.join(File.pathSeparator, entries);
    }

    static List<String> expand(Path entry) {
        if (!entry.toString().endsWith(".jar") || !Files.isRegularFile(entry)) {
            return List.of(entry.toAbsolutePath().toString());
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (classPath == null || classPath.isBlank() || jar.stream().anyMatch(e -> e.getName().endsWith(".class"))) {
                return List.of(entry.toAbsolutePath().toString());
            }
            List<String> out = new ArrayList<>();
            URI base = entry.toAbsolutePath().getParent().toUri();
            for (String item : classPath.trim().split("\\s+")) {
                URI uri = base.resolve(item);
                out.add("file".equals(uri.getScheme()) ? Path.of(uri).toString() : item);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of(entry.toAbsolutePath().toString());
        }
    }
}
