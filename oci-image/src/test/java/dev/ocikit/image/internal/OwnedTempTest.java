package dev.ocikit.image.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnedTempTest {
    @TempDir
    Path dir;

    @Test
    void whatAKilledProcessLeftIsSweptAndWhatALiveOneHoldsIsNot() throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OwnedTempHolder.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Path heldDir;
        Path heldFile;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            heldDir = Path.of(out.readLine());
            heldFile = Path.of(out.readLine());
            Files.writeString(heldDir.resolve("layer.tar"), "staged");

            OwnedTemp.sweep(dir, "held-", ".partial");

            assertThat(heldDir.resolve("layer.tar")).exists(); // its writer lives
            assertThat(heldFile).exists();
            holder.destroyForcibly(); // as kill -9: no cleanup runs
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        OwnedTemp.sweep(dir, "held-", ".partial");

        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void thisJvmsOwnAreNeverSweptAndCloseRemovesThem() throws Exception {
        try (OwnedTemp mine = OwnedTemp.directory(dir, "mine-");
                OwnedTemp file = OwnedTemp.file(dir, "mine-", ".partial")) {
            Files.writeString(mine.path().resolve("x"), "x");
            OwnedTemp.sweep(dir, "mine-", ".partial");
            assertThat(mine.path().resolve("x")).exists();
            assertThat(file.path()).exists();
        }
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aLockFileWhoseDirectoryIsGoneIsSweptOnceNoOneHoldsIt() throws Exception {
        Path orphan = Files.createFile(dir.resolve("held-1234.owner")); // its writer killed before making the directory

        OwnedTemp.sweep(dir, "held-");

        assertThat(orphan).doesNotExist();
    }

    @Test
    void filesThatAreNotItsOwnAreLeftAlone() throws Exception {
        Path someonesFile = Files.writeString(dir.resolve("held-notes.txt"), "not a partial archive");
        Path dirWithoutLock = Files.createDirectory(dir.resolve("held-by-an-older-version"));

        OwnedTemp.sweep(dir, "held-", ".partial");

        assertThat(someonesFile).exists();
        assertThat(dirWithoutLock).exists();
    }
}
