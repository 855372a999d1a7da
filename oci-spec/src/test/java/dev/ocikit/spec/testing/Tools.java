package dev.ocikit.spec.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external tools integration tests run against (runc, skopeo, umoci, registry).
 *
 * <p>On a developer's machine a missing tool skips the test with the reason; with
 * {@code OCIKIT_REQUIRE_INTEGRATION=1} (as {@code .ci/run} sets) it fails the test instead, so
 * that CI can never go green by skipping.
 */
public final class Tools {
    private Tools() {}

    /** Whether integration tests must run rather than skip. */
    public static boolean integrationRequired() {
        return "1".equals(System.getenv("OCIKIT_REQUIRE_INTEGRATION"));
    }

    /** The executable's path, or the test is skipped (or failed, when integration is required). */
    public static Path require(String executable) {
        Optional<Path> found = find(executable);
        if (found.isPresent()) {
            return found.get();
        }
        String reason = executable + " is not installed (not found on PATH); `apt-get install` it or run .ci/run";
        if (integrationRequired()) {
            Assertions.fail(reason + ", and OCIKIT_REQUIRE_INTEGRATION=1 forbids skipping");
        }
        Assumptions.abort(reason);
        throw new AssertionError("unreachable");
    }

    /** The first executable of that name on PATH, then in the sbin directories root tools live in. */
    public static Optional<Path> find(String executable) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
