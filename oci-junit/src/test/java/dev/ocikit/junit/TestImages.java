package dev.ocikit.junit;

import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.junit.internal.FileLocks;
import dev.ocikit.spec.image.Healthcheck;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The images the integration tests run, built into the tests' image store (the {@code ocikit.store}
 * property, as the extension uses it) from Debian's static busybox, once per store. As an
 * extension, registered before {@link OciContainers}, it makes sure they exist before the
 * extension starts containers, and that runc is there (skipping, or failing under
 * {@code OCIKIT_REQUIRE_INTEGRATION=1}, when it is not).
 */
public final class TestImages implements BeforeAllCallback {
    /** Busybox with its applets, users root/app, {@code /www/index.html}; command {@code sh}. */
    public static final String BUSYBOX = "localhost/ocikit-junit/busybox:test";
    /** {@link #BUSYBOX} with {@code HEALTHCHECK CMD-SHELL test -f /tmp/healthy}, every 100 ms. */
    public static final String HEALTHY = "localhost/ocikit-junit/busybox-health:test";
    /** What busybox httpd serves at {@code /index.html}. */
    public static final String INDEX = "hello from busybox httpd\n";

    private static final List<String> APPLETS = List.of("sh", "echo", "cat", "ls", "sleep", "env", "test", "touch",
            "mkdir", "rm", "id", "true", "false", "httpd", "wget", "nc", "grep", "wc", "head", "tail", "ps", "kill");

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ensure();
    }

    /** Requires runc, and builds the images into the tests' store unless they are there. */
    public static ImageStore ensure() throws IOException, InterruptedException {
        Tools.require("runc");
        Environment env = Environment.defaults();
        ImageStore store = env.store;
        FileLocks.withLock(store.root().resolve("junit").resolve("test-images.lock"), () -> {
            if (store.find(BUSYBOX).isEmpty()) {
                Path scratch = Files.createTempDirectory("ocikit-junit-image");
                try {
                    ImageBuilder.scratch().layer(LayerContent.directory(rootfs(scratch.resolve("rootfs"))), "busybox")
                            .cmd("sh").commit(store, BUSYBOX);
                } finally {
                    Environment.deleteQuietly(scratch);
                }
            }
            if (store.find(HEALTHY).isEmpty()) {
                ImageBuilder.from(store, BUSYBOX)
                        .healthcheck(Healthcheck.of(List.of("CMD-SHELL", "test -f /tmp/healthy"))
                                .withInterval(Duration.ofMillis(100)))
                        .commit(store, HEALTHY);
            }
            return null;
        });
        return store;
    }

    private static Path rootfs(Path dir) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            busybox = Tools.require("busybox");
        }
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("www"));
        Files.createDirectories(dir.resolve("home/app"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(busybox, dir.resolve("bin/busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(dir.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\napp:x:1000:\n");
        Files.writeString(dir.resolve("www/index.html"), INDEX);
        return dir;
    }
}
