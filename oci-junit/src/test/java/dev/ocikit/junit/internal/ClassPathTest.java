package dev.ocikit.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassPathTest {
    @TempDir
    Path dir;

    private Path jar(String name, String classPath, boolean withClass) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            if (withClass) {
                j.putNextEntry(new JarEntry("a/B.class"));
                j.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void aManifestOnlyJarBecomesTheEntriesItNames() throws Exception {
        Path booter = jar("booter.jar", "lib/a.jar file:" + dir.resolve("classes") + "/ ../elsewhere/b.jar", false);
        assertThat(ClassPath.expand(booter)).containsExactly(dir.resolve("lib/a.jar").toString(),
                dir.resolve("classes").toString(), dir.getParent().resolve("elsewhere/b.jar").toString());
    }

    @Test
    void otherEntriesStayAsTheyAre() throws Exception {
        Path library = jar("lib.jar", "other.jar", true);
        Path plain = jar("plain.jar", null, false);
        assertThat(ClassPath.expand(library)).containsExactly(library.toString());
        assertThat(ClassPath.expand(plain)).containsExactly(plain.toString());
        assertThat(ClassPath.expand(dir)).containsExactly(dir.toString());
    }

    @Test
    void thisJvmsClassPathHasThisModulesClasses() {
        String classes = Path.of(ClassPath.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        assertThat(ClassPath.ofThisJvm().split(java.io.File.pathSeparator)).contains(classes);
    }
}
