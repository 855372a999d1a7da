package dev.ocikit.image.policy;

import java.util.List;
import java.util.Optional;

/**
 * The trust policy refuses an image. {@link #reasons()} has one line per requirement of the
 * applicable scope that was not satisfied (rejected by policy, no signatures, a bad signature
 * and why, a signature for another identity...); the message joins them.
 */
public final class PolicyRejectedException extends PolicyException {
    private static final long serialVersionUID = 1L;

    private final String transport;
    private final Optional<String> scope;
    private final List<String> reasons;

    public PolicyRejectedException(String image, String transport, Optional<String> scope, List<String> reasons) {
        super("the trust policy (" + PolicyDecision.describeScope(transport, scope) + ") rejects " + image + ": "
                + String.join("; ", reasons), null, (Throwable) null);
        this.transport = transport;
        this.scope = scope;
        this.reasons = List.copyOf(reasons);
    }

    /** The transport the image was looked up under. */
    public String transport() {
        return transport;
    }

    /**
     * The scope whose requirements applied: a key of {@code transports.<transport>} ("" is the
     * transport's own default), or empty for the policy's global {@code default}.
     */
    public Optional<String> scope() {
        return scope;
    }

    /** Why, one entry per unsatisfied requirement. */
    public List<String> reasons() {
        return reasons;
    }
}
