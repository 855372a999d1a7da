package dev.ocikit.image.policy;

import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.OciException;
import java.util.Objects;
import java.util.Optional;

/**
 * How the identity a signature claims ({@code critical.identity.docker-reference}) must relate to
 * the image being checked: policy.json's {@code signedIdentity}. Immutable. All names are compared
 * in their normalised form ({@code busybox} is {@code docker.io/library/busybox}); no default tag
 * is ever added.
 */
public sealed interface SignedIdentity {

    /** The {@code type} value in policy.json. */
    String type();

    /**
     * Whether a signature claiming {@code signedReference} is acceptable for an image known as
     * {@code image} (empty for images without a Docker identity, such as {@code dir:} ones, which
     * only the {@code exactReference} and {@code exactRepository} forms can accept).
     */
    boolean matches(Optional<ImageReference> image, String signedReference);

    /** The signature must name exactly the image's reference, tag or digest included. */
    record MatchExact() implements SignedIdentity {
        @Override
        public String type() {
            return "matchExact";
        }

        @Override
        public boolean matches(Optional<ImageReference> image, String signedReference) {
            Optional<ImageReference> signed = parse(signedReference);
            return image.isPresent() && signed.isPresent() && exactlyEqual(image.get(), signed.get());
        }
    }

    /**
     * The default: an image named by tag needs a signature for exactly that reference; an image
     * named by digest accepts a signature for any tag or digest of the same repository (the
     * manifest digest itself is checked separately).
     */
    record MatchRepoDigestOrExact() implements SignedIdentity {
        @Override
        public String type() {
            return "matchRepoDigestOrExact";
        }

        @Override
        public boolean matches(Optional<ImageReference> image, String signedReference) {
            return image.isPresent() && repoDigestOrExact(image.get(), signedReference);
        }
    }

    /** Any tag or digest of the image's repository. */
    record MatchRepository() implements SignedIdentity {
        @Override
        public String type() {
            return "matchRepository";
        }

        @Override
        public boolean matches(Optional<ImageReference> image, String signedReference) {
            Optional<ImageReference> signed = parse(signedReference);
            return image.isPresent() && signed.isPresent() && signed.get().repository().equals(image.get().repository());
        }
    }

    /**
     * Exactly {@code dockerReference} (which has a tag or a digest), whatever the image is called.
     *
     * @param dockerReference as written in policy.json
     */
    record ExactReference(String dockerReference) implements SignedIdentity {
        public ExactReference {
            Objects.requireNonNull(dockerReference, "dockerReference");
        }

        @Override
        public String type() {
            return "exactReference";
        }

        @Override
        public boolean matches(Optional<ImageReference> image, String signedReference) {
            Optional<ImageReference> wanted = parse(dockerReference);
            Optional<ImageReference> signed = parse(signedReference);
            return wanted.isPresent() && signed.isPresent() && exactlyEqual(wanted.get(), signed.get());
        }
    }

    /**
     * Any tag or digest of {@code dockerRepository}, whatever the image is called.
     *
     * @param dockerRepository as written in policy.json
     */
    record ExactRepository(String dockerRepository) implements SignedIdentity {
        public ExactRepository {
            Objects.requireNonNull(dockerRepository, "dockerRepository");
        }

        @Override
        public String type() {
            return "exactRepository";
        }

        @Override
        public boolean matches(Optional<ImageReference> image, String signedReference) {
            Optional<ImageReference> wanted = parse(dockerRepository);
            Optional<ImageReference> signed = parse(signedReference);
            return wanted.isPresent() && signed.isPresent() && signed.get().repository().equals(wanted.get().repository());
        }
    }

    /**
     * For mirrors: if the image's full name starts with {@code prefix} (at a {@code /}, {@code :}
     * or {@code @} boundary, or entirely), that prefix is replaced by {@code signedPrefix}; the
     * result is then matched as {@link MatchRepoDigestOrExact}. An image not under the prefix is
     * matched unchanged.
     */
    record RemapIdentity(String prefix, String signedPrefix) implements SignedIdentity {
        public RemapIdentity {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(signedPrefix, "signedPrefix");
        }

        @Override
        public String type() {
            return "remapIdentity";
        }

        @Override
        public boolean matches(Optional<ImageReference> image, String signedReference) {
            if (image.isEmpty()) {
                return false;
            }
            String name = image.get().toString();
            ImageReference intended = image.get();
            if (hasPrefix(name, prefix)) {
                Optional<ImageReference> remapped = parse(signedPrefix + name.substring(prefix.length()));
                if (remapped.isEmpty()) {
                    return false;
                }
                intended = remapped.get();
            }
            return repoDigestOrExact(intended, signedReference);
        }

        /** containers/image's boundary rule: "example.com:5000" is (unintentionally there, too) under "example.com". */
        static boolean hasPrefix(String name, String prefix) {
            if (name.length() < prefix.length() || !name.startsWith(prefix)) {
                return false;
            }
            if (name.length() == prefix.length()) {
                return true;
            }
            char next = name.charAt(prefix.length());
            return next == '/' || next == ':' || next == '@';
        }
    }

    private static boolean repoDigestOrExact(ImageReference intended, String signedReference) {
        Optional<ImageReference> signed = parse(signedReference);
        if (signed.isEmpty()) {
            return false;
        }
        if (intended.tag().isPresent()) { // a tag (with or without a digest) must be signed exactly
            return signed.get().toString().equals(intended.toString());
        }
        if (intended.digest().isPresent()) {
            return signed.get().repository().equals(intended.repository());
        }
        return false; // a bare name says nothing about which image was signed
    }

    private static boolean exactlyEqual(ImageReference a, ImageReference b) {
        boolean aBare = a.tag().isEmpty() && a.digest().isEmpty();
        boolean bBare = b.tag().isEmpty() && b.digest().isEmpty();
        return !aBare && !bBare && a.toString().equals(b.toString());
    }

    private static Optional<ImageReference> parse(String reference) {
        try {
            return Optional.of(ImageReference.parse(reference));
        } catch (OciException e) {
            return Optional.empty();
        }
    }
}
