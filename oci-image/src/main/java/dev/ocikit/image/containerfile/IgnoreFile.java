package dev.ocikit.image.containerfile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The paths of a build context that a build must not see, from a {@code .containerignore} or
 * {@code .dockerignore} file. Immutable and thread-safe.
 *
 * <p><b>Patterns are relative to the context directory</b>, whatever directory the ignore file
 * or the Containerfile is in: {@code target} excludes {@code <context>/target}, not a
 * {@code target} directory anywhere ({@code **}{@code /target} does that). One pattern per line:
 * <ul>
 * <li>Lines starting with {@code #} are comments; blank lines are ignored; surrounding
 *     whitespace is trimmed.</li>
 * <li>A pattern is cleaned first: a leading {@code /} or {@code ./}, a trailing {@code /},
 *     {@code .} and {@code ..} segments go ({@code /abs/} means {@code abs}).</li>
 * <li>Go {@code filepath.Match} syntax: {@code *} any characters but {@code /}, {@code ?} one
 *     such character, {@code [a-c]} / {@code [^a-c]} classes, {@code \} escapes the next
 *     character. {@code **} matches any number of directories, zero included
 *     ({@code **}{@code /*.tmp} is every {@code .tmp} file).</li>
 * <li>A pattern that matches a directory excludes everything below it.</li>
 * <li>{@code !pattern} re-includes what an earlier pattern excluded; when several patterns
 *     match, the last one wins.</li>
 * </ul>
 * These are the rules of {@code docker build} and buildah (moby's patternmatcher).
 *
 * <p>To walk a context: skip an {@linkplain #excluded excluded} directory unless
 * {@link #mayIncludeUnder} says something below it may be re-included; in that case descend and
 * test each entry (and keep the directories that lead to included entries).
 */
public final class IgnoreFile {
    private static final IgnoreFile NONE = new IgnoreFile(List.of(), Optional.empty());

    private final List<IgnorePattern> patterns;
    private final Optional<Path> file;

    private IgnoreFile(List<IgnorePattern> patterns, Optional<Path> file) {
        this.patterns = List.copyOf(patterns);
        this.file = file;
    }

    /** An ignore file that excludes nothing. */
    public static IgnoreFile none() {
        return NONE;
    }

    /**
     * Reads the context's ignore file: {@code .containerignore} if it exists, else
     * {@code .dockerignore}, else there is none and nothing is excluded (as buildah does).
     *
     * @throws ContainerfileException if a pattern is malformed (message names file and line)
     * @throws IOException if the file exists but cannot be read
     */
    public static IgnoreFile read(Path contextDir) throws IOException {
        for (String name : List.of(".containerignore", ".dockerignore")) {
            Path f = contextDir.resolve(name);
            if (Files.isRegularFile(f)) {
                return load(f);
            }
        }
        return NONE;
    }

    /**
     * Like {@link #read(Path)}, but an ignore file named after the Containerfile and next to it
     * ({@code Containerfile.containerignore}, {@code Dockerfile.dockerignore}) wins over the
     * context's, as BuildKit and buildah allow, so one context can serve several Containerfiles.
     */
    public static IgnoreFile read(Path contextDir, Path containerfile) throws IOException {
        for (String ext : List.of(".containerignore", ".dockerignore")) {
            Path f = containerfile.resolveSibling(containerfile.getFileName() + ext);
            if (Files.isRegularFile(f)) {
                return load(f);
            }
        }
        return read(contextDir);
    }

    private static IgnoreFile load(Path f) throws IOException {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        return new IgnoreFile(compile(text, f.toString()), Optional.of(f));
    }

    /**
     * Parses ignore-file text; errors name the file {@code .containerignore}.
     *
     * @throws ContainerfileException if a pattern is malformed
     */
    public static IgnoreFile parse(String text) {
        return new IgnoreFile(compile(text, ".containerignore"), Optional.empty());
    }

    private static List<IgnorePattern> compile(String text, String fileName) {
        Objects.requireNonNull(text, "text");
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<IgnorePattern> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("#")) {
                continue;
            }
            String p = line.strip();
            if (p.isEmpty()) {
                continue;
            }
            boolean exception = p.charAt(0) == '!';
            if (exception) {
                p = p.substring(1).strip();
                if (p.isEmpty()) {
                    throw new ContainerfileException(fileName, i + 1, null,
                            "'!' alone is not a pattern: write !PATTERN to re-include what PATTERN matches");
                }
            }
            String cleaned = clean(p);
            if (cleaned.length() > 1 && cleaned.startsWith("/")) {
                cleaned = cleaned.substring(1);
            }
            try {
                out.add(IgnorePattern.compile(cleaned, exception, i + 1));
            } catch (Problem e) {
                throw new ContainerfileException(fileName, i + 1, null,
                        "bad pattern '" + line.strip() + "': " + e.getMessage());
            }
        }
        return out;
    }

    /** The file the patterns were read from, if they were read from a file. */
    public Optional<Path> file() {
        return file;
    }

    /** The cleaned patterns in order, exceptions with their leading {@code !}. */
    public List<String> patterns() {
        return patterns.stream().map(IgnorePattern::toString).toList();
    }

    /** Whether there are no patterns (nothing is excluded). */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /**
     * Whether a path of the context is excluded from the build.
     *
     * @param relativePath a path relative to the context directory, {@code /}-separated; a
     *     leading {@code /} or {@code ./} and a trailing {@code /} are ignored. The context
     *     directory itself ({@code ""} or {@code .}) is never excluded.
     */
    public boolean excluded(String relativePath) {
        String path = normalize(relativePath);
        if (path.equals(".")) {
            return false;
        }
        boolean excluded = false;
        for (IgnorePattern p : patterns) {
            // only a pattern that would change the answer needs testing; the last match wins
            if (p.exception() == excluded && p.matchesSelfOrParent(path)) {
                excluded = !p.exception();
            }
        }
        return excluded;
    }

    /**
     * Whether some path below a directory may be part of the build; false only when every
     * path below it is certainly excluded, so that a walker may skip the directory without
     * reading it. True for a directory that is not excluded; for an excluded one, true when
     * a later {@code !} pattern may re-include something below it ({@code dir} then
     * {@code !dir/keep.txt}). Conservative: it may say true when nothing ends up included.
     *
     * @param dirRelativePath the directory, relative to the context, as for {@link #excluded}
     */
    public boolean mayIncludeUnder(String dirRelativePath) {
        String dir = normalize(dirRelativePath);
        if (dir.equals(".")) {
            return true;
        }
        int covering = -1;
        for (int i = 0; i < patterns.size(); i++) {
            IgnorePattern p = patterns.get(i);
            if (!p.exception() && p.coversBelow(dir)) {
                covering = i;
            }
        }
        if (covering < 0) {
            return true;
        }
        for (int i = covering + 1; i < patterns.size(); i++) {
            IgnorePattern p = patterns.get(i);
            if (p.exception() && p.mayMatchBelow(dir)) {
                return true;
            }
        }
        return false;
    }

    private static String normalize(String relativePath) {
        String path = clean(relativePath);
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path.isEmpty() ? "." : path;
    }

    /** Go's {@code path.Clean}: lexical, never touches the file system. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        List<String> parts = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (!parts.isEmpty() && !parts.get(parts.size() - 1).equals("..")) {
                    parts.remove(parts.size() - 1);
                } else if (!rooted) {
                    parts.add("..");
                }
                continue;
            }
            parts.add(seg);
        }
        String joined = String.join("/", parts);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    @Override
    public String toString() {
        return "IgnoreFile" + file.map(f -> " " + f).orElse("") + " " + patterns();
    }
}
