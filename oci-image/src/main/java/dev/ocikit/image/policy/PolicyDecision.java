package dev.ocikit.image.policy;

import dev.ocikit.image.signature.VerifiedSignature;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An image the trust policy accepts, and on what grounds. Immutable.
 *
 * @param target the image decided on
 * @param scope the scope whose requirements applied: a key of {@code transports.<transport>} (""
 *     is the transport's default), or empty for the global {@code default}
 * @param requirements the requirements that were all satisfied
 * @param acceptedSignatures the signatures that satisfied {@code signedBy} requirements (empty if
 *     none was required)
 */
public record PolicyDecision(PolicyTarget target, Optional<String> scope, List<PolicyRequirement> requirements,
        List<VerifiedSignature> acceptedSignatures) {

    public PolicyDecision {
        Objects.requireNonNull(target, "target");
        scope = scope == null ? Optional.empty() : scope;
        requirements = List.copyOf(requirements);
        acceptedSignatures = List.copyOf(acceptedSignatures);
    }

    /** Whether any signature was checked: false when the policy accepted the image unsigned. */
    public boolean signatureVerified() {
        return !acceptedSignatures.isEmpty();
    }

    static String describeScope(String transport, Optional<String> scope) {
        return scope.map(s -> s.isEmpty() ? "default of transport " + transport : "scope \"" + s + "\" of transport " + transport)
                .orElse("global default");
    }
}
