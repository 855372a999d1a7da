package dev.ocikit.spec.runtime;

import dev.ocikit.spec.internal.Text;
import dev.ocikit.spec.InvalidFieldException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runtime-spec version string: SemVer 2.0.0, {@code MAJOR.MINOR.PATCH[-pre][+build]}. Only the
 * parts ocikit compares are kept; the original text is what documents carry and write back.
 */
record OciVersion(int major, int minor, int patch, String prerelease) implements Comparable<OciVersion> {
    /** The newest runtime-spec version these models implement. */
    static final String CURRENT = "1.3.0";
    /** Human wording of what {@link #checkSupported} accepts, for messages and javadoc. */
    static final String SUPPORTED = "1.0.x to 1.3.x";

    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})"
                    + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?"
                    + "(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    /** Parses {@code text}, or throws a {@link InvalidFieldException} on {@code field}. */
    static OciVersion parse(String text, String field) {
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            throw new InvalidFieldException(field, "\"" + Text.printable(text)
                    + "\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, for example \"" + CURRENT + "\")");
        }
        return new OciVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), m.group(4) == null ? "" : m.group(4));
    }

    /**
     * Checks that {@code text} is a version these models can read: 1.0.x to 1.3.x, pre-releases
     * and build metadata included (runc writes {@code 1.0.2-dev}). A later minor version may add
     * fields (kept as unknown fields), but a different major version may change meanings, and a
     * newer minor version than 1.3 is refused so that nobody mistakes a partial model for a full one.
     */
    static String checkSupported(String text, String field) {
        OciVersion v = parse(text, field);
        if (v.major != 1 || v.minor > 3) {
            throw new InvalidFieldException(field, "unsupported runtime-spec version \"" + text
                    + "\": ocikit reads versions " + SUPPORTED);
        }
        return text;
    }

    /** SemVer precedence (build metadata ignored; a pre-release sorts before its release). */
    @Override
    public int compareTo(OciVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (prerelease.isEmpty() || o.prerelease.isEmpty()) {
            return Boolean.compare(prerelease.isEmpty(), o.prerelease.isEmpty());
        }
        String[] a = prerelease.split("\\.");
        String[] b = o.prerelease.split("\\.");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            boolean an = a[i].chars().allMatch(Character::isDigit);
            boolean bn = b[i].chars().allMatch(Character::isDigit);
            int d;
            if (an && bn) {
                d = new java.math.BigInteger(a[i]).compareTo(new java.math.BigInteger(b[i]));
            } else if (an != bn) {
                d = an ? -1 : 1;
            } else {
                d = a[i].compareTo(b[i]);
            }
            if (d != 0) {
                return d;
            }
        }
        return Integer.compare(a.length, b.length);
    }
}
