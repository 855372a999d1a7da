package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.runtime.NoSuchContainerException;
import dev.ocikit.runtime.OciRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test JVM that ends without stopping its containers: one that exits leaves nothing (the
 * runtime's shutdown hook); one killed outright leaves its container and copied files until the
 * next JVM's runtime and environment sweep them.
 */
@ExtendWith(TestImages.class)
class JvmExitIT {
    @TempDir
    Path dir;

    /** Starts a container with a copied file, prints its name, then exits or waits to be killed. */
    public static final class Owner {
        public static void main(String[] args) throws Exception {
            OciContainer c = OciContainer.of(ContainerSpec.of(TestImages.BUSYBOX).command("sleep", "600")
                    .copyFile(Path.of(args[1]), "/etc/owned.conf"));
            c.start();
            System.out.println("started " + c.name());
            System.out.flush();
            if (args[0].equals("exit")) {
                System.exit(0); // without stopping it
            }
            Thread.sleep(Long.MAX_VALUE); // until killed
        }
    }

    private Process owner(String mode) throws Exception {
        Path conf = Files.writeString(dir.resolve("owned.conf"), "x\n");
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + Environment.STORE_PROPERTY + "=" + System.getProperty(Environment.STORE_PROPERTY),
                "-cp", System.getProperty("java.class.path"), Owner.class.getName(), mode, conf.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static String startedName(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the owner's report").startsWith("started ");
        return line.substring("started ".length());
    }

    private static List<Path> filesOf(long pid) throws Exception {
        Path files = Environment.defaults().filesRoot();
        if (!Files.isDirectory(files)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(files)) {
            return list.filter(p -> p.getFileName().toString().startsWith(pid + "-")).toList();
        }
    }

    @Test
    void aJvmThatExitsRemovesItsContainersOnTheWayOut() throws Exception {
        Process p = owner("exit");
        String name = startedName(p);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        OciRuntime runtime = Environment.defaults().runtime;
        assertThatThrownBy(() -> runtime.inspect(name)).isInstanceOf(NoSuchContainerException.class);
    }

    @Test
    void whatAKilledJvmLeftIsSweptByTheNextOne() throws Exception {
        Process p = owner("wait");
        String name = startedName(p);
        p.destroyForcibly();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        OciRuntime runtime = Environment.defaults().runtime;
        assertThat(runtime.inspect(name).ownerPid()).isEqualTo(p.pid());
        assertThat(filesOf(p.pid())).hasSize(1);

        // what the next test JVM does when it sets up: a runtime that sweeps, and the files' sweep
        OciRuntime next = OciRuntime.builder().store(Environment.defaults().store).build();
        Environment.sweepFiles(Environment.defaults().filesRoot());
        assertThatThrownBy(() -> next.inspect(name)).isInstanceOf(NoSuchContainerException.class);
        assertThat(filesOf(p.pid())).isEmpty();
    }
}
