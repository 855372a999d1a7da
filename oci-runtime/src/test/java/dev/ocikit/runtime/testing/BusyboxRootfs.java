package dev.ocikit.runtime.testing;

import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A minimal root file system for real containers in tests: Debian's static busybox
 * ({@code busybox-static}, which {@code .ci/run} installs) with its applets linked under
 * {@code /bin}, plus {@code /etc/passwd} and {@code /etc/group} with a few users to resolve.
 */
public final class BusyboxRootfs {
    /** The applets tests use; each is a symlink to {@code /bin/busybox}. */
    public static final List<String> APPLETS = List.of(
            "sh", "echo", "id", "cat", "ls", "sleep", "env", "pwd", "hostname", "mount", "touch", "mkdir",
            "rm", "wc", "head", "tail", "grep", "nc", "true", "false", "kill", "ps", "stat", "test",
            "httpd", "wget", "ip", "ifconfig", "ulimit", "trap", "printf", "readlink", "tr", "stty", "tty");

    private BusyboxRootfs() {}

    /** The static busybox binary, or the test is skipped (failed under OCIKIT_REQUIRE_INTEGRATION=1). */
    public static Path busybox() {
        Path bin = Path.of("/bin/busybox");
        if (Files.isExecutable(bin)) {
            return bin;
        }
        return Tools.require("busybox");
    }

    /** Writes the root file system into {@code dir} (created if missing) and returns it. */
    public static Path create(Path dir) throws IOException {
        Path busybox = busybox();
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("home/app"));
        Files.copy(busybox, dir.resolve("bin/busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(dir.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(dir.resolve("etc/passwd"), String.join("\n",
                "root:x:0:0:root:/root:/bin/sh",
                "daemon:x:1:1:daemon:/usr/sbin:/bin/false",
                "app:x:1000:1000:App User:/home/app:/bin/sh",
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false",
                ""));
        Files.writeString(dir.resolve("etc/group"), String.join("\n",
                "root:x:0:",
                "daemon:x:1:",
                "wheel:x:10:app",
                "app:x:1000:",
                "audio:x:29:app,daemon",
                "nogroup:x:65534:",
                ""));
        return dir;
    }
}
