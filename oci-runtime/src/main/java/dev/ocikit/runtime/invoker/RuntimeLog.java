package dev.ocikit.runtime.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a runtime's JSON log ({@code --log-format json}): one object per line, {@code level} and
 * {@code msg} (runc, crun). Lines that are not JSON are skipped: a runtime that fails before it
 * has parsed its flags writes plain text, which the stderr fallback covers.
 */
final class RuntimeLog {
    /** Built on first use: an ObjectMapper costs a fresh JVM tens of milliseconds that most commands never spend. */
    private static final class Lazy {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    private static final Pattern NO_SUCH_CONTAINER = Pattern.compile(
            "(?i)(container\\b[^:]*\\b(does not exist|not found)"
                    + "|no such container"
                    + "|/status\\b.*no such file or directory)");
    /**
     * The process's executable is missing. runc: {@code exec: "x": executable file not found in $PATH}
     * or {@code exec: "/x": stat /x: no such file or directory}; crun: {@code executable file `x` not
     * found in $PATH} or {@code exec container process `/x`: No such file or directory}. Only "no
     * such file" about the exec itself counts: a missing mount source or working directory is not this.
     */
    private static final Pattern EXECUTABLE_NOT_FOUND = Pattern.compile(
            "(?i)(executable file\\b[^;]*\\bnot found"
                    + "|\\bexec: \"[^\"]*\": (stat [^;]*: )?no such file or directory"
                    + "|\\bexec container process [^;]*: no such file or directory)");
    /** The process's executable may not be run: runc {@code exec: "/x": permission denied}, crun likewise. */
    private static final Pattern EXECUTABLE_NOT_PERMITTED = Pattern.compile(
            "(?i)(\\bexec: \"[^\"]*\": (stat [^;]*: )?permission denied"
                    + "|\\bexec container process [^;]*: permission denied)");

    private RuntimeLog() {}

    /** The {@code msg} of every {@code error}/{@code fatal}/{@code panic} line, in order. */
    static List<String> errors(byte[] log) {
        List<String> out = new ArrayList<>();
        for (String line : new String(log, StandardCharsets.UTF_8).split("\\R")) {
            String l = line.strip();
            if (!l.startsWith("{")) {
                continue;
            }
            JsonNode node;
            try {
                node = Lazy.MAPPER.readTree(l);
            } catch (java.io.IOException e) {
                continue; // a torn or foreign line: not the runtime's structured error
            }
            if (node == null || !node.isObject()) {
                continue;
            }
            String level = node.path("level").asText("");
            if (level.equals("error") || level.equals("fatal") || level.equals("panic")) {
                String msg = node.path("msg").asText("").strip();
                if (!msg.isEmpty()) {
                    out.add(msg);
                }
            }
        }
        return out;
    }

    /** The runtime's error text: the JSON log's errors, else the last lines of stderr. */
    static String errorText(byte[] log, byte[] stderr) {
        List<String> errors = errors(log);
        if (!errors.isEmpty()) {
            return String.join("; ", errors);
        }
        String err = new String(stderr, StandardCharsets.UTF_8).strip();
        return err.length() > 2000 ? "…" + err.substring(err.length() - 2000) : err;
    }

    /** Whether the runtime's error says the container's executable does not exist. */
    static boolean isExecutableNotFound(String errorText) {
        return EXECUTABLE_NOT_FOUND.matcher(errorText).find();
    }

    /** Whether the runtime's error says the container's executable may not be run. */
    static boolean isExecutableNotPermitted(String errorText) {
        return EXECUTABLE_NOT_PERMITTED.matcher(errorText).find();
    }

    /** Whether the runtime's error says the container is unknown to it. */
    static boolean isNoSuchContainer(String errorText) {
        return NO_SUCH_CONTAINER.matcher(errorText).find();
    }
}
