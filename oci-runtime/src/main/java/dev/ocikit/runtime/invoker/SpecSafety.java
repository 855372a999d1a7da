package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.runtime.Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Checks done before handing a spec to the runtime, against escapes a runtime may not catch
 * itself. A working directory under a process's fd directory is how CVE-2024-21626 reached a
 * leaked host fd; no legitimate container needs it, so it is refused whatever the runtime version.
 */
final class SpecSafety {
    private static final Pattern FD_DIR =
            Pattern.compile("^/proc/(self|thread-self|\\d+)(/task/(\\d+|self))?/fd(/.*)?$");

    private SpecSafety() {}

    /** Refuses {@code cwd} under {@code /proc/self/fd}, {@code /proc/thread-self/fd} or {@code /proc/<n>/fd}. */
    static void checkCwd(String cwd, String where) {
        if (cwd == null) {
            return;
        }
        // Both forms: "/proc/self/fd/7/../.." must be refused although it normalises to "/proc",
        // because the kernel follows the fd link before it walks "..".
        if (FD_DIR.matcher(normalize(cwd, false)).matches() || FD_DIR.matcher(normalize(cwd, true)).matches()) {
            throw new UnsafeSpecException(where + ": process.cwd '" + cwd + "' lies under a /proc fd directory,"
                    + " the CVE-2024-21626 container escape; use a directory inside the container's root file system");
        }
    }

    static void checkProcess(Process process, String where) {
        checkCwd(process.cwd(), where);
    }

    /** Reads {@code <bundle>/config.json} and checks its process. */
    static void checkBundle(Path bundle) {
        Path config = bundle.resolve("config.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(config);
        } catch (NoSuchFileException e) {
            throw new UnsafeSpecException("bundle " + bundle + " has no config.json; write the spec there first");
        } catch (IOException e) {
            throw new UnsafeSpecException("cannot read " + config + " to check it: " + e.getMessage());
        }
        // Only process.cwd matters here: read as a tree, not bound to the whole model, which
        // would cost a cold JVM (a CLI) tens of milliseconds the runtime spends again anyway.
        com.fasterxml.jackson.databind.JsonNode cwd = dev.ocikit.spec.Json.tree(bytes, config.toString()).path("process").path("cwd");
        if (!cwd.isMissingNode()) {
            if (!cwd.isTextual()) {
                throw new UnsafeSpecException(config + ": process.cwd must be a string, not " + cwd.getNodeType());
            }
            checkCwd(cwd.asText(), config.toString());
        }
    }

    /** Collapses {@code //} and {@code .}, and with {@code dotdot} also {@code ..}, lexically. */
    static String normalize(String path, boolean dotdot) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String p : path.split("/+")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (dotdot && p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }
}
