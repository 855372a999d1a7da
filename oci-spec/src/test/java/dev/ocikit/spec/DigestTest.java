package dev.ocikit.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DigestTest {
    // sha256("") and sha256("hello"): well-known values, checked independently with sha256sum.
    static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String HELLO_SHA256 = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

    @Test
    void computesAndParsesSha256() {
        assertThat(Digest.sha256(new byte[0])).hasToString(EMPTY_SHA256);
        assertThat(Digest.sha256(HELLO)).isEqualTo(Digest.parse(HELLO_SHA256));
        assertThat(Digest.parse(HELLO_SHA256).algorithm()).isEqualTo(DigestAlgorithm.SHA256);
        assertThat(Digest.parse(HELLO_SHA256).shortId()).isEqualTo("2cf24dba5fb0");
    }

    @Test
    void computesSha512() {
        Digest d = Digest.compute(DigestAlgorithm.SHA512, HELLO);
        assertThat(d.toString()).startsWith("sha512:9b71d224bd62f378").hasSize(7 + 128);
        assertThat(Digest.parse(d.toString())).isEqualTo(d);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                                   | empty
            sha256                               | expected algorithm:encoded
            :abc                                 | algorithm must be lowercase
            SHA256:abc                           | algorithm must be lowercase
            sha256:                              | encoded part must be one or more
            sha256:e3b0c44298fc1c14              | must be 64 lowercase hex characters
            sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 | must be 64 lowercase hex characters
            sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855a | must be 64 lowercase hex characters
            sha256:../../../../etc/passwd        | encoded part must be one or more
            sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/ | encoded part must be one or more
            md5:d41d8cd98f00b204e9800998ecf8427e  | unsupported digest algorithm 'md5'
            sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564 | unsupported digest algorithm 'sha256+b64u'
            sha256-:abc                          | algorithm must be lowercase
            sha512:abc                           | must be 128 lowercase hex characters
            sha256:zz3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8 | must be 64 lowercase hex characters
            """)
    void refusesMalformedDigests(String text, String message) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOf(InvalidDigestException.class)
                .hasMessageContaining(message);
    }

    @Test
    void refusesNullAndHugeInputWithShortMessage() {
        assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(InvalidDigestException.class);
        String huge = "sha256:" + "a".repeat(100_000);
        assertThatThrownBy(() -> Digest.parse(huge))
                .isInstanceOf(InvalidDigestException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void ordersByAlgorithmThenEncoded() {
        Digest a = Digest.parse("sha256:" + "0".repeat(64));
        Digest b = Digest.parse("sha256:" + "f".repeat(64));
        Digest c = Digest.parse("sha512:" + "0".repeat(128));
        List<Digest> list = new ArrayList<>(List.of(c, b, a));
        Collections.sort(list);
        assertThat(list).containsExactly(a, b, c);
        assertThat(a).isEqualTo(Digest.parse(a.toString())).hasSameHashCodeAs(Digest.parse(a.toString()));
    }

    @Test
    void hashesAStreamWhileItPasses() throws IOException {
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(HELLO), DigestAlgorithm.SHA256);
        assertThatThrownBy(in::digest).isInstanceOf(IllegalStateException.class);
        assertThat(in.read()).isEqualTo('h');
        assertThat(in.skip(2)).isEqualTo(2);
        assertThat(in.readAllBytes()).containsExactly('l', 'o');
        assertThat(in.digest()).hasToString(HELLO_SHA256);
        assertThat(in.count()).isEqualTo(5);
        assertThat(Digest.compute(DigestAlgorithm.SHA256, new ByteArrayInputStream(HELLO))).hasToString(HELLO_SHA256);
    }

    @Test
    void verifyingStreamAcceptsTheRightContent() throws IOException {
        try (InputStream in = DigestingInputStream.verifying(new ByteArrayInputStream(HELLO), Digest.parse(HELLO_SHA256), 5)) {
            assertThat(in.readAllBytes()).isEqualTo(HELLO);
        }
    }

    @Test
    void verifyingStreamRefusesWrongDigestAtTheEnd() {
        InputStream in = DigestingInputStream.verifying(new ByteArrayInputStream(HELLO), Digest.parse(EMPTY_SHA256), 5);
        assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("expected " + EMPTY_SHA256)
                .hasMessageContaining(HELLO_SHA256)
                .satisfies(e -> assertThat(((DigestMismatchException) e).actual()).contains(Digest.parse(HELLO_SHA256)));
    }

    @Test
    void verifyingStreamRefusesContentLongerThanDeclared() {
        InputStream in = DigestingInputStream.verifying(new ByteArrayInputStream(HELLO), Digest.parse(HELLO_SHA256), 3);
        assertThatThrownBy(in::readAllBytes)
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("longer than its declared size of 3 bytes");
    }

    @Test
    void verifyingStreamRefusesTruncatedContent() {
        InputStream in = DigestingInputStream.verifying(new ByteArrayInputStream(HELLO), Digest.parse(HELLO_SHA256), 6);
        assertThatThrownBy(in::readAllBytes)
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("ended after 5 bytes, but its declared size is 6");
    }

    @Test
    void verifiesBytes() {
        Digest hello = Digest.parse(HELLO_SHA256);
        assertThat(hello.matches(HELLO)).isTrue();
        hello.verify(HELLO);
        assertThatThrownBy(() -> hello.verify(new byte[0])).isInstanceOf(DigestMismatchException.class);
    }
}
