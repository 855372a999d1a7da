package dev.ocikit.registry;

import dev.ocikit.spec.OciException;
import dev.ocikit.spec.internal.Text;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A containers configuration file ({@code registries.conf} and its drop-ins,
 * {@code short-name-aliases.conf}, {@code auth.json}, a {@code certs.d} directory, a
 * {@code registries.d} file) that cannot be used: malformed syntax or an invalid value. The message
 * names the file and, where known, the line ({@code file:line: problem}) or the key; it never
 * contains a credential. Fix the file, or point ocikit at another one.
 */
public class ContainersConfigException extends OciException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String key;
    private final int line;

    public ContainersConfigException(Path file, String key, String problem) {
        this(file, key, problem, null);
    }

    public ContainersConfigException(Path file, String key, String problem, Throwable cause) {
        super(message(file, key, problem), cause);
        this.file = file;
        this.key = key;
        this.line = 0;
    }

    /** A problem at a line (counted from 1) of {@code file}: the message is {@code file:line: problem}. */
    public ContainersConfigException(Path file, int line, String problem) {
        super((file == null ? "containers configuration" : file.toString()) + ":" + line + ": " + problem);
        if (line < 1) {
            throw new IllegalArgumentException("line numbers start at 1, got " + line);
        }
        this.file = file;
        this.key = null;
        this.line = line;
    }

    private static String message(Path file, String key, String problem) {
        return (file == null ? "containers configuration" : file.toString())
                + (key == null ? "" : ": " + Text.printable(key, 200)) + ": " + problem;
    }

    /** The line at fault (counted from 1), when one is known. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** The file at fault, when one is known. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The key at fault (for example {@code registry[2].mirror[0].pull-from-mirror}), when one is known. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }
}
