package dev.ocikit.image.signature;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.image.Descriptor;
import java.util.Locale;
import java.util.Objects;

/**
 * Sigstore signatures found the OCI 1.1 way, through a registry's referrers API, told apart by
 * the referrer descriptor's {@code artifactType}. Stateless and thread-safe.
 *
 * <ul>
 *   <li>{@link Kind#COSIGN_SIGNATURE}: {@value #COSIGN_SIGNATURE_ARTIFACT_TYPE}, what
 *       {@code cosign sign --registry-referrers-mode=oci-1-1} pushes: a manifest like the one
 *       at tag {@code sha256-<hex>.sig}, whose layers are {@link SigstoreSignature}s (read each
 *       layer's payload, media type and annotations) and verify with {@link SigstoreSigning}.
 *   <li>{@link Kind#SIGSTORE_BUNDLE}: a sigstore bundle ({@value #BUNDLE_V03_MEDIA_TYPE}, or the
 *       older {@code application/vnd.dev.sigstore.bundle+json;version=0.x}), what newer cosign
 *       pushes by default. Its verification (a DSSE envelope or message signature with
 *       certificates and log proofs) is not implemented: {@link #unsupported} says so.
 *   <li>{@link Kind#OTHER}: anything else (SBOMs, attestations of other tools, ...), not a
 *       signature.
 * </ul>
 */
public final class SigstoreReferrers {
    /** The artifact type of a cosign signature manifest stored as a referrer. */
    public static final String COSIGN_SIGNATURE_ARTIFACT_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    /** The media type of a sigstore bundle, version 0.3 (what cosign 2.4+ and 3 write). */
    public static final String BUNDLE_V03_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    private static final String BUNDLE_PREFIX = "application/vnd.dev.sigstore.bundle";

    /** What a referrer is, as far as image signatures go. */
    public enum Kind {
        /** A cosign signature manifest: its layers are sigstore signatures ocikit verifies. */
        COSIGN_SIGNATURE,
        /** A sigstore bundle: recognised, not verifiable by ocikit. */
        SIGSTORE_BUNDLE,
        /** Not a signature. */
        OTHER
    }

    private SigstoreReferrers() {}

    /** Classifies a descriptor from a referrers index by its {@code artifactType}. */
    public static Kind classify(Descriptor referrer) {
        Objects.requireNonNull(referrer, "referrer");
        return referrer.artifactType().map(SigstoreReferrers::classify).orElse(Kind.OTHER);
    }

    /** Classifies an artifact type (or a manifest's config media type, for registries that report that instead). */
    public static Kind classify(String artifactType) {
        Objects.requireNonNull(artifactType, "artifactType");
        if (artifactType.equals(COSIGN_SIGNATURE_ARTIFACT_TYPE)) {
            return Kind.COSIGN_SIGNATURE;
        }
        return isBundleMediaType(artifactType) ? Kind.SIGSTORE_BUNDLE : Kind.OTHER;
    }

    /**
     * Whether a media type is one of a sigstore bundle: {@code application/vnd.dev.sigstore.bundle.v0.N+json}
     * or {@code application/vnd.dev.sigstore.bundle+json;version=0.N}.
     */
    public static boolean isBundleMediaType(String mediaType) {
        String t = mediaType.toLowerCase(Locale.ROOT).replace(" ", "");
        return t.startsWith(BUNDLE_PREFIX + ".v") && t.endsWith("+json") || t.startsWith(BUNDLE_PREFIX + "+json;version=");
    }

    /**
     * The refusal for a bundle referrer: what it is, and that ocikit cannot verify it (so that a
     * policy requiring a signature reports it rather than "no signature").
     */
    public static SignatureVerificationException unsupported(Descriptor referrer) {
        return new SignatureVerificationException(Reason.UNSUPPORTED, "referrer " + referrer.digest() + " is a sigstore bundle ("
                + referrer.artifactType().orElse(referrer.mediaType()) + "); verifying sigstore bundles (keyless certificates,"
                + " transparency-log proofs) is not supported by ocikit: sign with a key in the cosign signature format instead");
    }
}
