package dev.ocikit.image.containerfile;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A parsed Containerfile (Dockerfile): its global build arguments and its build stages.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * Containerfile file = Containerfile.parse(contextDir.resolve("Containerfile"));
 * for (Stage stage : file.stages()) {
 *     String base = stage.baseImage(globalArgs);          // FROM, expanded with global ARGs
 *     for (Instruction raw : stage.instructions()) {
 *         Instruction i = file.expand(raw, stageVariables); // final values
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Parsing follows BuildKit's Dockerfile frontend; see the
 * {@linkplain dev.ocikit.image.containerfile package documentation} for the syntax accepted, and
 * for which instructions are expanded with which variables. Parsing checks everything that can be
 * checked without knowing variable values, so a file that parses fails later only on a value
 * (an unset {@code ${NAME?}}, a port that expands to a non-port, ...).
 */
public final class Containerfile {
    private final String fileName;
    private final char escape;
    private final List<Instruction.Arg> globalArgs;
    private final List<Stage> stages;

    private Containerfile(String fileName, char escape, List<Instruction.Arg> globalArgs, List<Stage> stages) {
        this.fileName = fileName;
        this.escape = escape;
        this.globalArgs = List.copyOf(globalArgs);
        this.stages = List.copyOf(stages);
    }

    /**
     * Reads and parses a Containerfile (UTF-8).
     *
     * @throws ContainerfileException if it is not a valid Containerfile (or not UTF-8); the
     *     message names the file by its name as given, with the line and the instruction
     * @throws IOException if it cannot be read
     */
    public static Containerfile parse(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ContainerfileException(file.toString(), 0, null, "is not UTF-8 text", e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses Containerfile text.
     *
     * @param fileName how error messages name the file ({@code Containerfile},
     *     {@code path/to/Dockerfile})
     * @throws ContainerfileException if it is not a valid Containerfile
     */
    public static Containerfile parse(String text, String fileName) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(fileName, "fileName");
        Parser.Result parsed = Parser.parse(text, fileName);
        if (parsed.instructions().isEmpty()) {
            throw new ContainerfileException(fileName, 0, null,
                    "has no instructions (it is empty or holds only comments): start it with FROM image");
        }
        List<Instruction.Arg> globals = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Instruction.From from = null;
        List<Instruction> body = new ArrayList<>();
        for (Instruction i : parsed.instructions()) {
            if (i instanceof Instruction.From f) {
                if (from != null) {
                    stages.add(new Stage(stages.size(), from, body, fileName, parsed.escape()));
                }
                if (f.stageName().isPresent()) {
                    Integer first = names.putIfAbsent(f.stageName().get(), f.line());
                    if (first != null) {
                        throw new ContainerfileException(fileName, f.line(), "FROM", "duplicate stage name '"
                                + f.stageName().get() + "', already used on line " + first);
                    }
                }
                from = f;
                body = new ArrayList<>();
            } else if (from == null) {
                if (!(i instanceof Instruction.Arg a)) {
                    throw new ContainerfileException(fileName, i.line(), i.keyword(),
                            "comes before the first FROM: only ARG may come before FROM");
                }
                globals.add(a);
            } else {
                body.add(i);
            }
        }
        if (from == null) {
            throw new ContainerfileException(fileName, 0, null,
                    "has no FROM instruction: a build needs at least one stage, FROM image");
        }
        stages.add(new Stage(stages.size(), from, body, fileName, parsed.escape()));
        return new Containerfile(fileName, parsed.escape(), globals, stages);
    }

    /** The file name used in error messages. */
    public String fileName() {
        return fileName;
    }

    /**
     * The escape character, {@code \} unless a {@code # escape=`} directive changed it; pass it
     * to {@link Substitution} when expanding words of this file yourself.
     */
    public char escape() {
        return escape;
    }

    /**
     * The ARG instructions before the first FROM, in order. Their values (the build's values,
     * else their defaults expanded with the global args before them) are what FROM lines see,
     * and what a stage's {@code ARG NAME} without a default inherits.
     */
    public List<Instruction.Arg> globalArgs() {
        return globalArgs;
    }

    /** The build stages in order; never empty. The last one is the default build target. */
    public List<Stage> stages() {
        return stages;
    }

    /**
     * The stage a reference names, as {@code COPY --from}, {@code RUN --mount=from=} and FROM
     * use them: a stage name (case-insensitive) or a stage index ({@code 0}). Empty if it names
     * no stage, in which case it is an image reference.
     */
    public Optional<Stage> stage(String reference) {
        if (!reference.isEmpty() && reference.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                int index = Integer.parseInt(reference);
                return index < stages.size() ? Optional.of(stages.get(index)) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        String name = reference.toLowerCase(Locale.ROOT);
        return stages.stream().filter(s -> s.name().filter(name::equals).isPresent()).findFirst();
    }

    /**
     * The instruction with its words expanded as Docker expands them, as a copy of the same
     * type; instructions that are not expanded (RUN's command, CMD, ENTRYPOINT, HEALTHCHECK,
     * SHELL, MAINTAINER, ONBUILD) come back unchanged. Apply it once, to the parsed instruction:
     * the result holds final values (quotes removed), and expanding those again would treat
     * their text as syntax.
     *
     * <p>The lookup gives a variable's value, or empty if it is not set:
     * <ul>
     * <li>for a stage's instructions, the stage's variables at that point: its ENV values,
     *     which win over its ARG values; an ARG is visible only after the stage declares it
     *     (a global ARG must be re-declared with {@code ARG NAME} to be seen);</li>
     * <li>for a global ARG (before the first FROM), the global args before it;</li>
     * <li>for FROM, use {@link Stage#baseImage(Function)} instead.</li>
     * </ul>
     * All definitions of one ARG, and all pairs of one ENV or LABEL, are expanded with the same
     * lookup (the values as they were before the instruction).
     *
     * @throws ContainerfileException naming this file, the line and the instruction if a word
     *     cannot be expanded (an unset {@code ${NAME?}}, an EXPOSE that expands to a non-port,
     *     a {@code --mount} whose expanded value is invalid, an empty VOLUME path)
     */
    @SuppressWarnings("unchecked")
    public <T extends Instruction> T expand(T instruction, Function<String, Optional<String>> lookup) {
        Objects.requireNonNull(instruction, "instruction");
        Objects.requireNonNull(lookup, "lookup");
        try {
            return (T) Expansions.apply(instruction, Expander.of(lookup, escape));
        } catch (Problem p) {
            throw new ContainerfileException(fileName, instruction.line(), instruction.keyword(), p.getMessage());
        }
    }

    @Override
    public String toString() {
        return fileName + " (" + stages.size() + " stage" + (stages.size() == 1 ? "" : "s") + ")";
    }
}
