package dev.ocikit.image.containerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One compiled line of an ignore file. Matching follows moby's patternmatcher, which
 * {@code docker build} and buildah use: Go {@code filepath.Match} syntax ({@code *} and {@code ?}
 * never match {@code /}, {@code [a-c]} and {@code [^a]} classes, backslash escapes) over the
 * whole relative path, plus {@code **} for any number of directories. Immutable.
 */
final class IgnorePattern {
    private final String pattern;
    private final boolean exception;
    private final int line;
    private final Pattern regex;
    /** For a pattern {@code **literal}: moby matches it as "the path ends with literal". */
    private final String suffix;
    private final String[] segments;
    /** For {@code X/**}: X, which excludes everything below what it matches. */
    private final IgnorePattern parent;

    private IgnorePattern(String pattern, boolean exception, int line) {
        this.pattern = pattern;
        this.exception = exception;
        this.line = line;
        this.regex = Pattern.compile(translate(pattern, true), Pattern.DOTALL);
        String rest = pattern.startsWith("**") ? pattern.substring(2) : null;
        this.suffix = rest != null && rest.chars().noneMatch(c -> c == '*' || c == '?' || c == '[' || c == '\\')
                ? rest : null;
        this.segments = pattern.split("/", -1);
        this.parent = pattern.endsWith("/**") && pattern.length() > 3
                ? new IgnorePattern(pattern.substring(0, pattern.length() - 3), exception, line) : null;
    }

    /**
     * Compiles a cleaned pattern (no leading {@code !}).
     *
     * @throws Problem if the pattern is malformed (unterminated class, trailing backslash)
     */
    static IgnorePattern compile(String pattern, boolean exception, int line) {
        return new IgnorePattern(pattern, exception, line);
    }

    String pattern() {
        return pattern;
    }

    boolean exception() {
        return exception;
    }

    int line() {
        return line;
    }

    /** Whether the pattern matches this cleaned relative path itself. */
    boolean matches(String path) {
        if (suffix != null) {
            return path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
        }
        return regex.matcher(path).matches();
    }

    /** Whether it matches the path or one of its parent directories (which covers the path). */
    boolean matchesSelfOrParent(String path) {
        if (matches(path)) {
            return true;
        }
        int slash = path.indexOf('/');
        while (slash >= 0) {
            if (matches(path.substring(0, slash))) {
                return true;
            }
            slash = path.indexOf('/', slash + 1);
        }
        return false;
    }

    /** Whether it matches every path strictly below {@code dir}. */
    boolean coversBelow(String dir) {
        return matchesSelfOrParent(dir) || pattern.equals("**")
                || (parent != null && parent.matchesSelfOrParent(dir));
    }

    /**
     * Whether it may match some path strictly below {@code dir} (or a directory between that
     * path and {@code dir}). Conservative: true when unsure, never false when it could match.
     */
    boolean mayMatchBelow(String dir) {
        if (suffix != null) {
            return true;
        }
        String[] d = dir.split("/");
        for (int i = 0; ; i++) {
            if (i == segments.length) {
                return false; // matches only at dir's depth or above: not below it
            }
            String seg = segments[i];
            if (seg.contains("**") || i == d.length) {
                return true;
            }
            Pattern segment;
            try {
                segment = Pattern.compile(translate(seg, false), Pattern.DOTALL);
            } catch (Problem p) {
                return true; // a class holding '/' ([/]) spans segments: cannot tell, so say maybe
            }
            if (!segment.matcher(d[i]).matches()) {
                return false;
            }
        }
    }

    /** The pattern as a Java regular expression. */
    private static String translate(String p, boolean doubleStar) {
        StringBuilder re = new StringBuilder();
        int[] cps = p.codePoints().toArray();
        int i = 0;
        while (i < cps.length) {
            int c = cps[i];
            if (c == '*') {
                if (doubleStar && i + 1 < cps.length && cps[i + 1] == '*') {
                    i += 2;
                    if (i < cps.length && cps[i] == '/') {
                        i++;
                    }
                    re.append(i >= cps.length ? ".*" : "(?:.*/)?");
                } else {
                    re.append("[^/]*");
                    i++;
                }
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else if (c == '[') {
                i = characterClass(cps, i + 1, re);
            } else if (c == '\\') {
                if (i + 1 >= cps.length) {
                    throw new Problem("it ends with a lone backslash (write \\\\ for a backslash)");
                }
                re.append(literal(cps[i + 1]));
                i += 2;
            } else {
                re.append(literal(c));
                i++;
            }
        }
        return re.toString();
    }

    /** Translates a {@code [...]} class starting after the {@code [}; returns the index after {@code ]}. */
    private static int characterClass(int[] cps, int i, StringBuilder re) {
        boolean negated = i < cps.length && cps[i] == '^';
        if (negated) {
            i++;
        }
        List<int[]> ranges = new ArrayList<>();
        while (true) {
            if (i >= cps.length) {
                throw new Problem("'[' has no matching ']'");
            }
            if (cps[i] == ']' && !ranges.isEmpty()) {
                i++;
                break;
            }
            int[] lo = classChar(cps, i);
            i = lo[1];
            int hi = lo[0];
            if (i < cps.length && cps[i] == '-') {
                int[] h = classChar(cps, i + 1);
                hi = h[0];
                i = h[1];
            }
            ranges.add(new int[] {lo[0], hi});
        }
        StringBuilder body = new StringBuilder();
        for (int[] r : ranges) {
            if (r[0] <= r[1]) { // Go accepts a reversed range, which matches nothing
                body.append(String.format("\\x{%x}-\\x{%x}", r[0], r[1]));
            }
        }
        if (body.length() == 0) {
            re.append(negated ? "(?:.)" : "(?!)");
        } else {
            re.append(negated ? "[^" : "[").append(body).append(']');
        }
        return i;
    }

    /** One character of a class, escaped or not: {value, next index}. */
    private static int[] classChar(int[] cps, int i) {
        if (i >= cps.length) {
            throw new Problem("'[' has no matching ']'");
        }
        int c = cps[i];
        if (c == '\\') {
            if (i + 1 >= cps.length) {
                throw new Problem("'[' has no matching ']'");
            }
            return new int[] {cps[i + 1], i + 2};
        }
        if (c == '-' || c == ']') {
            throw new Problem("'" + Character.toString(c) + "' inside [...] must be escaped as \\"
                    + Character.toString(c));
        }
        return new int[] {c, i + 1};
    }

    private static String literal(int c) {
        return Pattern.quote(Character.toString(c));
    }

    @Override
    public String toString() {
        return (exception ? "!" : "") + pattern;
    }
}
