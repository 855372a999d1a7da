package dev.ocikit.image.containerfile;

import dev.ocikit.spec.OciException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Containerfile (or {@code .containerignore}) that cannot be parsed, or a word of it that cannot
 * be expanded. The message reads {@code file:line: INSTRUCTION: problem}, the way compilers
 * report, so an editor or a terminal can jump to it; the parts are also available on their own.
 * Parts that are not known are left out of the message (an expansion done through
 * {@link Substitution} knows neither file nor line). Immutable.
 */
public final class ContainerfileException extends OciException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String instruction;
    private final String problem;

    ContainerfileException(String file, int line, String instruction, String problem) {
        super(format(file, line, instruction, problem));
        this.file = file == null ? "" : file;
        this.line = line;
        this.instruction = instruction == null ? "" : instruction;
        this.problem = problem;
    }

    ContainerfileException(String file, int line, String instruction, String problem, Throwable cause) {
        this(file, line, instruction, problem);
        initCause(cause);
    }

    private static String format(String file, int line, String instruction, String problem) {
        StringBuilder sb = new StringBuilder();
        boolean hasFile = file != null && !file.isEmpty();
        if (hasFile) {
            sb.append(file);
            if (line > 0) {
                sb.append(':').append(line);
            }
            sb.append(": ");
        } else if (line > 0) {
            sb.append("line ").append(line).append(": ");
        }
        if (instruction != null && !instruction.isEmpty()) {
            sb.append(instruction).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** The file name as given to the parser ({@code Containerfile}, {@code .containerignore}), if known. */
    public Optional<String> file() {
        return file.isEmpty() ? Optional.empty() : Optional.of(file);
    }

    /** The 1-based line where the offending instruction (or ignore pattern) starts, if known. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** The instruction keyword in upper case ({@code COPY}), if the problem belongs to one. */
    public Optional<String> instruction() {
        return instruction.isEmpty() ? Optional.empty() : Optional.of(instruction);
    }

    /** What was wrong, without the location prefix. */
    public String problem() {
        return problem;
    }
}
