package dev.ocikit.image.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.policy.SignedIdentity.ExactReference;
import dev.ocikit.image.policy.SignedIdentity.ExactRepository;
import dev.ocikit.image.policy.SignedIdentity.MatchExact;
import dev.ocikit.image.policy.SignedIdentity.MatchRepoDigestOrExact;
import dev.ocikit.image.policy.SignedIdentity.MatchRepository;
import dev.ocikit.image.policy.SignedIdentity.RemapIdentity;
import dev.ocikit.spec.ImageReference;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The man page's cases for each signedIdentity form, accepted and refused. */
class SignedIdentityTest {
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    private static Optional<ImageReference> image(String ref) {
        return Optional.of(ImageReference.parse(ref));
    }

    @Test
    void matchExactNeedsTheSameTagOrDigest() {
        SignedIdentity id = new MatchExact();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app:1.0")).isTrue();
        assertThat(id.matches(image("busybox:1"), "docker.io/library/busybox:1")).isTrue(); // normalised names
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app:2.0")).isFalse();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/other:1.0")).isFalse();
        assertThat(id.matches(image("quay.io/app@" + D1), "quay.io/app@" + D1)).isTrue();
        assertThat(id.matches(image("quay.io/app@" + D1), "quay.io/app:1.0")).isFalse(); // no repo-only match for digests
        assertThat(id.matches(image("quay.io/app"), "quay.io/app")).isFalse(); // no default tag is assumed
        assertThat(id.matches(image("quay.io/app:latest"), "quay.io/app")).isFalse();
        assertThat(id.matches(Optional.empty(), "quay.io/app:1.0")).isFalse(); // dir: images have no identity
        assertThat(id.matches(image("quay.io/app:1.0"), "not a reference")).isFalse();
    }

    @Test
    void matchRepoDigestOrExactIsExactForTagsAndByRepositoryForDigests() {
        SignedIdentity id = new MatchRepoDigestOrExact();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app:1.0")).isTrue();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app:latest")).isFalse();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app@" + D1)).isFalse();
        assertThat(id.matches(image("quay.io/app@" + D1), "quay.io/app:1.0")).isTrue();
        assertThat(id.matches(image("quay.io/app@" + D1), "quay.io/app@" + D2)).isTrue(); // the digest is checked against the manifest
        assertThat(id.matches(image("quay.io/app@" + D1), "quay.io/other:1.0")).isFalse();
        assertThat(id.matches(image("quay.io/app"), "quay.io/app")).isFalse();
        assertThat(id.matches(Optional.empty(), "quay.io/app:1.0")).isFalse();
    }

    @Test
    void matchRepositoryAcceptsAnyTagOfTheRepository() {
        SignedIdentity id = new MatchRepository();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app:2.0")).isTrue();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app")).isTrue();
        assertThat(id.matches(image("busybox"), "docker.io/library/busybox@" + D1)).isTrue();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/app2:1.0")).isFalse();
        assertThat(id.matches(image("quay.io/app:1.0"), "quay.io/ns/app:1.0")).isFalse();
    }

    @Test
    void exactReferenceIgnoresTheImageName() {
        SignedIdentity id = new ExactReference("registry.example.com/base:9");
        assertThat(id.matches(image("mirror.local/anything:1"), "registry.example.com/base:9")).isTrue();
        assertThat(id.matches(Optional.empty(), "registry.example.com/base:9")).isTrue(); // usable for dir: images
        assertThat(id.matches(image("registry.example.com/base:9"), "registry.example.com/base:10")).isFalse();
        assertThat(id.matches(image("registry.example.com/base:9"), "registry.example.com/base")).isFalse();
    }

    @Test
    void exactRepositoryAcceptsAnyTagOfTheGivenRepository() {
        SignedIdentity id = new ExactRepository("registry.example.com/base");
        assertThat(id.matches(image("mirror.local/anything:1"), "registry.example.com/base:9")).isTrue();
        assertThat(id.matches(Optional.empty(), "registry.example.com/base@" + D1)).isTrue();
        assertThat(id.matches(image("registry.example.com/base:9"), "registry.example.com/other:9")).isFalse();
    }

    @Test
    void remapIdentityRewritesThePrefixThenMatchesRepoDigestOrExact() {
        SignedIdentity id = new RemapIdentity("private-mirror:5000/vendor-mirror", "vendor.example.com");
        // the man page's mirror case
        assertThat(id.matches(image("private-mirror:5000/vendor-mirror/product/image:1"), "vendor.example.com/product/image:1")).isTrue();
        assertThat(id.matches(image("private-mirror:5000/vendor-mirror/product/image:1"), "vendor.example.com/product/image:2")).isFalse();
        assertThat(id.matches(image("private-mirror:5000/vendor-mirror/product/image@" + D1), "vendor.example.com/product/image:2")).isTrue();
        // the mirror's own name is not what was signed
        assertThat(id.matches(image("private-mirror:5000/vendor-mirror/product/image:1"),
                "private-mirror:5000/vendor-mirror/product/image:1")).isFalse();
        // not under the prefix (only at a component boundary): matched unchanged
        assertThat(id.matches(image("private-mirror:5000/vendor-mirror-2/product:1"), "vendor.example.com-2/product:1")).isFalse();
        assertThat(id.matches(image("private-mirror:5000/vendor-mirror-2/product:1"), "private-mirror:5000/vendor-mirror-2/product:1")).isTrue();
        assertThat(id.matches(image("other.example.com/product/image:1"), "other.example.com/product/image:1")).isTrue();

        SignedIdentity hostOnly = new RemapIdentity("mirror.local", "docker.io");
        assertThat(hostOnly.matches(image("mirror.local/library/busybox:1"), "busybox:1")).isTrue();
        assertThat(RemapIdentity.hasPrefix("example.com:5000/a", "example.com")).isTrue(); // containers/image's known quirk
        assertThat(RemapIdentity.hasPrefix("example.comx/a", "example.com")).isFalse();
    }
}
