package dev.ocikit.spec;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A fully qualified image reference, {@code domain/path[:tag][@digest]}, such as
 * {@code docker.io/library/busybox:1.36} or {@code quay.io/fedora/fedora:40}. Immutable and
 * thread-safe; {@link #toString()} and {@link #parse} round-trip.
 *
 * <h2>Grammar and normalisation</h2>
 *
 * <p>{@link #parse} reads references the way Docker's and Podman's reference library
 * ({@code github.com/distribution/reference}, {@code ParseNormalizedNamed}) does:
 *
 * <ul>
 *   <li>The first {@code /}-separated component is the registry ({@link #domain()}) only if it
 *       contains a {@code .} or a {@code :}, is {@code localhost}, or contains an uppercase
 *       letter; otherwise the reference is a <em>short name</em> and the registry is
 *       {@code docker.io}. A name without any {@code /} is always a short name, so
 *       {@code localhost:5000} alone means {@code docker.io/library/localhost:5000}
 *       (tag {@code 5000}).
 *   <li>{@code index.docker.io} becomes {@code docker.io}, and a one-component repository on
 *       {@code docker.io} gets the {@code library/} namespace.
 *   <li>The registry is a DNS-like host name, an IPv4 address or an IPv6 address in brackets,
 *       optionally followed by {@code :port}. Each path component matches
 *       {@code [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*}; the repository name (registry, slash
 *       and path) is at most 255 characters.
 *   <li>A tag matches {@code [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}}; a digest must be one
 *       {@link Digest#parse} accepts. A reference may carry both.
 *   <li>A bare 64-character lowercase hex string is refused, because it reads as an image ID.
 * </ul>
 *
 * <p>Two deliberate differences from the Go library: a first component that is taken as a
 * registry must be a valid host (Go silently falls back to a reference without a registry), and
 * {@link #familiar()} keeps {@code docker.io/} where dropping it would make the short form mean
 * a different registry. Podman's resolution of short names through {@code registries.conf}
 * search lists is not done here: {@link #parse} always resolves them to {@code docker.io}; use
 * {@link #isShortName} to find out whether the input named its registry.
 *
 * <p>The record's constructor validates and normalises like {@link #parse} and throws
 * {@link InvalidReferenceException}: a reference that exists is always valid.
 *
 * @param domain the registry host with an optional port, for example {@code docker.io},
 *     {@code localhost:5000} or {@code [::1]:5000}
 * @param path the repository path within the registry, for example {@code library/busybox}
 * @param tag the tag, if any
 * @param digest the manifest digest, if any
 */
public record ImageReference(String domain, String path, Optional<String> tag, Optional<Digest> digest) {

    /** The registry that short names resolve to. */
    public static final String DEFAULT_DOMAIN = "docker.io";
    /** The tag {@link #withDefaultTag()} adds. */
    public static final String DEFAULT_TAG = "latest";
    /** Longest repository name (domain, slash and path). */
    public static final int MAX_NAME_LENGTH = 255;
    /** Longest tag. */
    public static final int MAX_TAG_LENGTH = 128;

    private static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";
    private static final String OFFICIAL_NAMESPACE = "library/";
    private static final String LOCALHOST = "localhost";
    /** No valid reference comes near this; refusing early keeps hostile input cheap. */
    private static final int MAX_INPUT_LENGTH = 1024;

    // JSON reads these only from their string form, never from an object of their components.
    @JsonCreator(mode = JsonCreator.Mode.DISABLED)
    public ImageReference {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
        tag = tag == null ? Optional.empty() : tag;
        digest = digest == null ? Optional.empty() : digest;
        if (domain.equals(LEGACY_DEFAULT_DOMAIN)) {
            domain = DEFAULT_DOMAIN;
        }
        if (domain.equals(DEFAULT_DOMAIN) && path.indexOf('/') < 0 && !path.isEmpty()) {
            path = OFFICIAL_NAMESPACE + path;
        }
        String shown = format(domain, path, tag, digest);
        requireValid(shown, domain, path, tag);
        if (!isDomainLike(domain)) {
            throw new InvalidReferenceException(shown, "registry \"" + domain + "\" would be read back as a"
                    + " Docker Hub namespace; a registry needs a '.', a ':port', an uppercase letter, or to be 'localhost'");
        }
    }

    /**
     * Parses a reference and normalises it to its fully qualified form: {@code busybox} becomes
     * {@code docker.io/library/busybox}. No default tag is added (see {@link #withDefaultTag()}).
     *
     * @throws InvalidReferenceException naming the input and what was wrong
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ImageReference parse(String reference) {
        return parse(reference, false);
    }

    /**
     * Like {@link #parse}, but refuses short names: the input must name its registry
     * ({@code docker.io/busybox}, {@code quay.io/fedora/fedora:40}, {@code localhost/app}).
     * Use it where guessing {@code docker.io} would be wrong, as Podman does with
     * {@code short-name-mode = "enforcing"} and no search registries.
     *
     * @throws InvalidReferenceException if the input is invalid or a short name
     */
    public static ImageReference parseFullyQualified(String reference) {
        return parse(reference, true);
    }

    /**
     * Whether a valid reference is a short name, one that does not name its registry
     * ({@code busybox}, {@code library/busybox}, {@code myuser/app:1}), which Podman would resolve
     * through its search registries. A resolver can build each candidate as
     * {@code parse(registry + "/" + input)}.
     *
     * @throws InvalidReferenceException if the input is not a valid reference at all
     */
    public static boolean isShortName(String reference) {
        parse(reference, false);
        int slash = reference.indexOf('/');
        return slash < 0 || !isDomainLike(reference.substring(0, slash));
    }

    private static ImageReference parse(String input, boolean requireDomain) {
        if (input == null || input.isEmpty()) {
            throw new InvalidReferenceException(String.valueOf(input), "reference is empty");
        }
        if (input.length() > MAX_INPUT_LENGTH) {
            throw new InvalidReferenceException(input, "reference is " + input.length()
                    + " characters long; no valid reference is longer than " + MAX_INPUT_LENGTH);
        }
        int scheme = input.indexOf("://");
        if (scheme >= 0) {
            throw new InvalidReferenceException(input, "\"" + input.substring(0, scheme + 3)
                    + "\" is a URL scheme or transport prefix, which is not part of an image reference");
        }
        if (isImageId(input)) {
            throw new InvalidReferenceException(input, "a 64-character hexadecimal string is an image ID,"
                    + " and cannot be used as a repository name");
        }

        String remainder = input;
        Optional<Digest> digest = Optional.empty();
        int at = remainder.indexOf('@');
        if (at >= 0) {
            String digestText = remainder.substring(at + 1);
            remainder = remainder.substring(0, at);
            if (digestText.isEmpty()) {
                throw new InvalidReferenceException(input, "'@' must be followed by a digest");
            }
            if (digestText.indexOf('@') >= 0) {
                throw new InvalidReferenceException(input, "more than one '@'");
            }
            try {
                digest = Optional.of(Digest.parse(digestText));
            } catch (InvalidDigestException e) {
                throw new InvalidReferenceException(input, e.getMessage(), e);
            }
        }

        Optional<String> tag = Optional.empty();
        int colon = remainder.lastIndexOf(':');
        if (colon > remainder.lastIndexOf('/')) {
            String tagText = remainder.substring(colon + 1);
            remainder = remainder.substring(0, colon);
            if (tagText.isEmpty()) {
                throw new InvalidReferenceException(input, "':' must be followed by a tag");
            }
            tag = Optional.of(tagText);
        }
        if (remainder.isEmpty()) {
            throw new InvalidReferenceException(input, "repository name is missing");
        }

        String domain;
        String path;
        int slash = remainder.indexOf('/');
        if (slash >= 0 && isDomainLike(remainder.substring(0, slash))) {
            domain = remainder.substring(0, slash);
            path = remainder.substring(slash + 1);
            if (path.isEmpty()) {
                throw new InvalidReferenceException(input, "repository path is missing after registry \"" + domain + "\"");
            }
        } else if (requireDomain) {
            throw new InvalidReferenceException(input, "a short name, which does not say which registry it is on;"
                    + " a fully qualified reference starts with the registry, as in docker.io/library/busybox");
        } else {
            domain = DEFAULT_DOMAIN;
            path = remainder;
        }
        if (domain.equals(LEGACY_DEFAULT_DOMAIN)) {
            domain = DEFAULT_DOMAIN;
        }
        if (domain.equals(DEFAULT_DOMAIN) && path.indexOf('/') < 0) {
            path = OFFICIAL_NAMESPACE + path;
        }
        requireValid(input, domain, path, tag);
        return new ImageReference(domain, path, tag, digest);
    }

    /** {@code domain/path}, the repository without tag or digest. */
    public String repository() {
        return domain + "/" + path;
    }

    /** This reference with {@code tag} instead of its tag (a digest is kept). */
    public ImageReference withTag(String tag) {
        Objects.requireNonNull(tag, "tag");
        return new ImageReference(domain, path, Optional.of(tag), digest);
    }

    /** This reference with {@code digest} instead of its digest (a tag is kept). */
    public ImageReference withDigest(Digest digest) {
        Objects.requireNonNull(digest, "digest");
        return new ImageReference(domain, path, tag, Optional.of(digest));
    }

    /** This reference without its tag. */
    public ImageReference withoutTag() {
        return tag.isEmpty() ? this : new ImageReference(domain, path, Optional.empty(), digest);
    }

    /** This reference without its digest. */
    public ImageReference withoutDigest() {
        return digest.isEmpty() ? this : new ImageReference(domain, path, tag, Optional.empty());
    }

    /** Only the repository: no tag, no digest. */
    public ImageReference withoutTagOrDigest() {
        return tag.isEmpty() && digest.isEmpty() ? this
                : new ImageReference(domain, path, Optional.empty(), Optional.empty());
    }

    /**
     * This reference with the tag {@code latest} if it has neither a tag nor a digest, as Podman
     * and Docker do before pulling; otherwise this reference unchanged.
     */
    public ImageReference withDefaultTag() {
        return tag.isEmpty() && digest.isEmpty() ? withTag(DEFAULT_TAG) : this;
    }

    /**
     * The short form Docker shows, without {@code docker.io/} and without {@code library/} for
     * official images: {@code busybox:latest}, {@code myuser/app}, {@code quay.io/fedora/fedora:40}.
     * {@link #parse} reads it back to this same reference; where the short form would be
     * ambiguous (a Docker Hub namespace that looks like a registry, such as
     * {@code docker.io/foo.bar/app}) the registry is kept.
     */
    public String familiar() {
        String name;
        if (domain.equals(DEFAULT_DOMAIN)) {
            String official = path.startsWith(OFFICIAL_NAMESPACE) ? path.substring(OFFICIAL_NAMESPACE.length()) : null;
            boolean bare = tag.isEmpty() && digest.isEmpty();
            if (official != null && official.indexOf('/') < 0 && !(bare && isImageId(official))) {
                // A bare 64-hex name would be refused as an image ID, so that one keeps "library/".
                name = official;
            } else {
                int slash = path.indexOf('/');
                name = isDomainLike(path.substring(0, slash)) ? repository() : path;
            }
        } else {
            name = repository();
        }
        return name + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }

    /** The fully qualified form, {@code domain/path[:tag][@digest]}; {@link #parse} reads it back. */
    @JsonValue
    @Override
    public String toString() {
        return format(domain, path, tag, digest);
    }

    private static String format(String domain, String path, Optional<String> tag, Optional<Digest> digest) {
        StringBuilder b = new StringBuilder(domain.length() + path.length() + 80);
        b.append(domain).append('/').append(path);
        tag.ifPresent(t -> b.append(':').append(t));
        digest.ifPresent(d -> b.append('@').append(d));
        return b.toString();
    }

    // ---- validation -------------------------------------------------------------------------

    /** Whether a first path component is taken as a registry rather than a namespace. */
    private static boolean isDomainLike(String component) {
        return component.equals(LOCALHOST)
                || component.indexOf('.') >= 0
                || component.indexOf(':') >= 0
                || !component.toLowerCase(Locale.ROOT).equals(component);
    }

    private static boolean isImageId(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static void requireValid(String shown, String domain, String path, Optional<String> tag) {
        String problem = domainProblem(domain);
        if (problem == null) {
            problem = pathProblem(path);
        }
        if (problem == null) {
            int nameLength = domain.length() + 1 + path.length();
            if (nameLength > MAX_NAME_LENGTH) {
                problem = "repository name is " + nameLength + " characters long (with its registry);"
                        + " at most " + MAX_NAME_LENGTH + " are allowed";
            }
        }
        if (problem == null && tag.isPresent()) {
            problem = tagProblem(tag.get());
        }
        if (problem != null) {
            throw new InvalidReferenceException(shown, problem);
        }
    }

    /** host[:port], where host is a DNS-like name, an IPv4 address or [IPv6]; null if valid. */
    private static String domainProblem(String domain) {
        String invalid = "registry \"" + Text.printable(domain) + "\" is not a valid host[:port]"
                + " (a host name, an IPv4 address or an [IPv6] address, then an optional :port)";
        String host;
        String port;
        if (domain.startsWith("[")) {
            int close = domain.indexOf(']');
            if (close < 0) {
                return invalid;
            }
            host = domain.substring(0, close + 1);
            String after = domain.substring(close + 1);
            if (after.isEmpty()) {
                port = null;
            } else if (after.charAt(0) == ':') {
                port = after.substring(1);
            } else {
                return invalid;
            }
            if (!isIpv6Literal(host)) {
                return invalid;
            }
        } else {
            int colon = domain.indexOf(':');
            host = colon < 0 ? domain : domain.substring(0, colon);
            port = colon < 0 ? null : domain.substring(colon + 1);
            if (!isHostName(host)) {
                return invalid;
            }
        }
        if (port != null && !isDigits(port)) {
            return "port \"" + Text.printable(port) + "\" of registry \"" + Text.printable(domain)
                    + "\" must be decimal digits";
        }
        return null;
    }

    // Only compressed or full hex forms are accepted; zones and embedded IPv4 are not.
    private static boolean isIpv6Literal(String s) {
        if (s.length() < 3 || s.charAt(0) != '[' || s.charAt(s.length() - 1) != ']') {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // Labels of letters, digits and inner dashes, separated by single dots.
    private static boolean isHostName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(isAsciiAlnum(c) || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String pathProblem(String path) {
        if (path.isEmpty()) {
            return "repository path is empty";
        }
        if (!path.toLowerCase(Locale.ROOT).equals(path)) {
            return "repository name must be lowercase (\"" + Text.printable(path) + "\")";
        }
        for (String component : path.split("/", -1)) {
            String problem = componentProblem(component);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String componentProblem(String c) {
        if (c.isEmpty()) {
            return "empty path component (a doubled, leading or trailing '/')";
        }
        String quoted = "\"" + Text.printable(c) + "\"";
        int i = 0;
        while (i < c.length()) {
            char ch = c.charAt(i);
            if (isLowerAlnum(ch)) {
                i++;
                continue;
            }
            if (ch == '.' || ch == '_' || ch == '-') {
                int end = i;
                while (end < c.length() && (c.charAt(end) == '.' || c.charAt(end) == '_' || c.charAt(end) == '-')) {
                    end++;
                }
                String separator = c.substring(i, end);
                if (i == 0 || end == c.length()) {
                    return "path component " + quoted + " must start and end with a lowercase letter or digit";
                }
                if (!isSeparator(separator)) {
                    return "separator \"" + separator + "\" in path component " + quoted
                            + " is not allowed; use one '.', one or two '_', or dashes";
                }
                i = end;
                continue;
            }
            if (ch == ':') {
                return "path component " + quoted + " contains ':'; a tag may follow only the last component, once";
            }
            return "character '" + (ch < 0x20 || ch == 0x7f ? "?" : String.valueOf(ch)) + "' is not allowed in path component "
                    + quoted + " (only lowercase letters, digits and the separators '.', '_', '__', '-')";
        }
        return null;
    }

    private static boolean isSeparator(String s) {
        if (s.equals(".") || s.equals("_") || s.equals("__")) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '-') {
                return false;
            }
        }
        return true;
    }

    private static String tagProblem(String tag) {
        if (tag.isEmpty()) {
            return "tag is empty";
        }
        String quoted = "\"" + Text.printable(tag) + "\"";
        char first = tag.charAt(0);
        if (!(isAsciiAlnum(first) || first == '_')) {
            return "tag " + quoted + " must start with a letter, a digit or '_'";
        }
        for (int i = 1; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (!(isAsciiAlnum(c) || c == '_' || c == '.' || c == '-')) {
                return "character '" + (c < 0x20 || c == 0x7f ? "?" : String.valueOf(c)) + "' is not allowed in tag "
                        + quoted + " (only letters, digits, '_', '.' and '-')";
            }
        }
        if (tag.length() > MAX_TAG_LENGTH) {
            return "tag is too long: " + tag.length() + " characters, at most " + MAX_TAG_LENGTH + " are allowed";
        }
        return null;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isAsciiAlnum(char c) {
        return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
    }
}
