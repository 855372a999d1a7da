package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.Digest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlobLocationsTest {
    private static Digest digest(int i) {
        return Digest.sha256(("blob " + i).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void repositoriesOfTheSameRegistryOtherThanTheTargetMostRecentFirst() {
        BlobLocations seen = new BlobLocations();
        seen.record("reg:5000", "a/app", digest(1));
        seen.record("other:5000", "c/app", digest(1));
        seen.record("reg:5000", "b/app", digest(1));
        assertThat(seen.repositories("reg:5000", digest(1), "x/app")).containsExactly("b/app", "a/app");
        assertThat(seen.repositories("reg:5000", digest(1), "b/app")).containsExactly("a/app");
        assertThat(seen.repositories("reg:5000", digest(2), "x/app")).isEmpty();
        // a registry whose name is a prefix of another's is not confused with it
        assertThat(seen.repositories("reg:500", digest(1), "x/app")).isEmpty();
    }

    @Test
    void boundedByDigestCount() {
        BlobLocations seen = new BlobLocations();
        for (int i = 0; i <= BlobLocations.MAX_DIGESTS; i++) {
            seen.record("reg", "a", digest(i));
        }
        assertThat(seen.repositories("reg", digest(0), "b")).isEmpty();
        assertThat(seen.repositories("reg", digest(BlobLocations.MAX_DIGESTS), "b")).containsExactly("a");
    }
}
