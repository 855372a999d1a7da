package dev.ocikit.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestingInputStreamTest {
    private static final byte[] CONTENT = "content".getBytes(StandardCharsets.UTF_8);
    private static final Digest DIGEST = Digest.sha256(CONTENT);

    @Test
    void verifyingAStreamThatAlreadyVerifiesTheSameContentReusesIt() {
        DigestingInputStream first = DigestingInputStream.verifying(new ByteArrayInputStream(CONTENT), DIGEST, CONTENT.length);
        assertThat(DigestingInputStream.verifying(first, DIGEST, CONTENT.length)).isSameAs(first);
        assertThat(DigestingInputStream.verifying(first, DIGEST, -1)).isSameAs(first);
    }

    @Test
    void anotherDigestSizeOrAStartedStreamIsWrappedAndCheckedAgain() throws IOException {
        DigestingInputStream first = DigestingInputStream.verifying(new ByteArrayInputStream(CONTENT), DIGEST, -1);
        assertThat(DigestingInputStream.verifying(first, DIGEST, CONTENT.length)).isNotSameAs(first); // it does not check the size
        Digest other = Digest.sha256(new byte[] {1});
        DigestingInputStream wrongDigest = DigestingInputStream.verifying(first, other, CONTENT.length);
        assertThat(wrongDigest).isNotSameAs(first);
        assertThatThrownBy(() -> wrongDigest.transferTo(OutputStream.nullOutputStream())).isInstanceOf(DigestMismatchException.class);

        DigestingInputStream started = DigestingInputStream.verifying(new ByteArrayInputStream(CONTENT), DIGEST, CONTENT.length);
        assertThat(started.read()).isEqualTo('c');
        assertThat(DigestingInputStream.verifying(started, DIGEST, CONTENT.length)).isNotSameAs(started);
        DigestingInputStream hashingOnly = new DigestingInputStream(new ByteArrayInputStream(CONTENT), DigestAlgorithm.SHA256);
        assertThat(hashingOnly.verifies(DIGEST, CONTENT.length)).isFalse();
    }
}
