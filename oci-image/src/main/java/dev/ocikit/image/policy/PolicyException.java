package dev.ocikit.image.policy;

import dev.ocikit.spec.OciException;
import java.util.Optional;

/**
 * A trust policy that cannot be used: a {@code policy.json} that is not valid (the message names
 * the file and the JSON path of the problem, as in {@code default[0].keyType}), or no policy file
 * where one is required. A policy that refuses an image throws the subclass
 * {@link PolicyRejectedException}.
 */
public class PolicyException extends OciException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String path;

    /** A problem at {@code path} (a JSON path such as {@code transports.docker["quay.io"][0]}; empty: the whole file). */
    public PolicyException(String source, String path, String problem) {
        this(source, path, problem, null);
    }

    public PolicyException(String source, String path, String problem, Throwable cause) {
        super("invalid trust policy " + source + (path == null || path.isEmpty() ? "" : " at " + path) + ": " + problem, cause);
        this.source = source;
        this.path = path == null ? "" : path;
    }

    /** A problem that is not about one place in a file. */
    public PolicyException(String message) {
        super(message);
        this.source = null;
        this.path = "";
    }

    protected PolicyException(String message, String source, Throwable cause) {
        super(message, cause);
        this.source = source;
        this.path = "";
    }

    /** The file (or other source) the policy came from, if the problem is in one. */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /** The JSON path of the problem in the file; empty if it is not about one place. */
    public String path() {
        return path;
    }
}
