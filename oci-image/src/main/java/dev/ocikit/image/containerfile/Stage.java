package dev.ocikit.image.containerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One build stage: a FROM instruction and the instructions after it, up to the next FROM.
 * Immutable and thread-safe.
 */
public final class Stage {
    private final int index;
    private final Instruction.From from;
    private final List<Instruction> instructions;
    private final String fileName;
    private final char escape;

    Stage(int index, Instruction.From from, List<Instruction> instructions, String fileName, char escape) {
        this.index = index;
        this.from = Objects.requireNonNull(from, "from");
        this.instructions = List.copyOf(instructions);
        this.fileName = fileName;
        this.escape = escape;
    }

    /** The stage's position, 0 for the first FROM; {@code COPY --from=0} refers to it. */
    public int index() {
        return index;
    }

    /** The name given with {@code AS}, lower-cased, if any. */
    public Optional<String> name() {
        return from.stageName();
    }

    /** The FROM instruction that starts the stage. */
    public Instruction.From from() {
        return from;
    }

    /** The base image as written, variables not expanded. */
    public String baseImage() {
        return from.image();
    }

    /**
     * The base image with variables expanded. FROM sees only the global build arguments (the
     * ARGs before the first FROM, with the values given to the build) and BuildKit's automatic
     * platform arguments ({@code TARGETPLATFORM}, {@code BUILDPLATFORM}, ...), never ENV. The
     * result may name an earlier stage ({@link Containerfile#stage(String)}), {@code scratch},
     * or an image.
     *
     * @throws ContainerfileException if the expansion fails (a {@code ${NAME?}} that is unset)
     */
    public String baseImage(Function<String, Optional<String>> globalArgs) {
        return expandFrom(globalArgs).image();
    }

    /** The {@code --platform} flag as written, if given. */
    public Optional<String> platform() {
        return from.platform();
    }

    /** The {@code --platform} flag expanded like {@link #baseImage(Function)}, if given. */
    public Optional<String> platform(Function<String, Optional<String>> globalArgs) {
        return expandFrom(globalArgs).platform();
    }

    private Instruction.From expandFrom(Function<String, Optional<String>> lookup) {
        try {
            return from.expand(Expander.of(lookup, escape));
        } catch (Problem p) {
            throw new ContainerfileException(fileName, from.line(), "FROM", p.getMessage());
        }
    }

    /** The stage's instructions after its FROM, in order. */
    public List<Instruction> instructions() {
        return instructions;
    }

    @Override
    public String toString() {
        return "Stage " + index + name().map(n -> " (" + n + ")").orElse("") + ": FROM " + from.image();
    }
}
