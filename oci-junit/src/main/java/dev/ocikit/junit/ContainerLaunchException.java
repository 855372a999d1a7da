package dev.ocikit.junit;

import dev.ocikit.spec.OciException;
import java.util.List;

/**
 * A test container could not be made ready: its image could not be found or pulled, the runtime
 * refused it, it exited before it was ready, or a wait strategy failed. The message names the
 * container and its image, says what went wrong, and ends with the container's last lines of
 * output when it had started; {@link #lastLines()} holds them too.
 *
 * <p>Immutable.
 */
public class ContainerLaunchException extends OciException {
    /** How many of the last lines a message quotes; {@link #lastLines()} has all that were kept. */
    static final int QUOTED_LINES = 40;

    private final List<String> lastLines;

    public ContainerLaunchException(String message) {
        this(message, List.of(), null);
    }

    public ContainerLaunchException(String message, Throwable cause) {
        this(message, List.of(), cause);
    }

    /**
     * @param message what went wrong and what to do; the last lines are appended to it
     * @param lastLines the container's last lines of standard output and error, oldest first
     */
    public ContainerLaunchException(String message, List<String> lastLines, Throwable cause) {
        super(withLines(message, lastLines), cause);
        this.lastLines = List.copyOf(lastLines);
    }

    /** The container's last lines of output (standard output's, then standard error's), empty if it never ran. */
    public List<String> lastLines() {
        return lastLines;
    }

    private static String withLines(String message, List<String> lines) {
        if (lines.isEmpty()) {
            return message;
        }
        StringBuilder b = new StringBuilder(message).append("\nLast lines of its output");
        List<String> quoted = lines;
        if (lines.size() > QUOTED_LINES) {
            quoted = lines.subList(lines.size() - QUOTED_LINES, lines.size());
            b.append(" (").append(QUOTED_LINES).append(" of ").append(lines.size()).append(')');
        }
        b.append(':');
        for (String line : quoted) {
            b.append("\n  | ").append(line);
        }
        return b.toString();
    }
}
