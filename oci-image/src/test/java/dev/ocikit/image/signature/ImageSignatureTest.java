package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageSignatureTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBlobWithoutAFormatPrefixIsASimpleSignatureAsOlderToolsWroteThem() {
        ImageSignature s = ImageSignature.fromBlob(new byte[] {(byte) 0xa3, 1, 2}, "sig");
        assertThat(s).isEqualTo(new SimpleSignature(new byte[] {(byte) 0xa3, 1, 2}));
        assertThat(s.format()).isEqualTo(ImageSignature.SIMPLE_SIGNING);
        assertThat(s.blob()).containsExactly((byte) 0xa3, 1, 2);
    }

    @Test
    void aPrefixedSimpleSignatureReadsToo() {
        assertThat(ImageSignature.fromBlob(bytes("\0simple-signing\n\u0001x"), "sig")).isEqualTo(new SimpleSignature(bytes("\u0001x")));
    }

    @Test
    void sigstoreSignaturesRoundTripThroughTheirBlob() {
        SigstoreSignature s = new SigstoreSignature(SigstoreSignature.PAYLOAD_MEDIA_TYPE, bytes("{\"a\":1}"),
                Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, "MEUC", "z", "<&>"));
        byte[] blob = s.blob();
        assertThat(new String(blob, StandardCharsets.UTF_8)).startsWith("\0sigstore-json\n{\"mimeType\":");
        ImageSignature back = ImageSignature.fromBlob(blob, "sig");
        assertThat(back).isEqualTo(s);
        assertThat(((SigstoreSignature) back).signature()).hasValue("MEUC");
        assertThat(((SigstoreSignature) back).payload()).isEqualTo(bytes("{\"a\":1}"));
    }

    @Test
    void emptyUnknownAndMalformedBlobsAreRefusedAsMalformed() {
        assertMalformed(new byte[0], "is empty");
        assertMalformed(bytes("\0no newline at all"), "names no format");
        assertMalformed(bytes("\0cosign-bundle\n{}"), "format \"cosign-bundle\"");
        assertMalformed(bytes("\0sigstore-json\n[1]"), "not a JSON object");
        assertMalformed(bytes("\0sigstore-json\n{\"mimeType\":\"x\",\"payload\":\"e30=\",\"extra\":1}"), "unknown member \"extra\"");
        assertMalformed(bytes("\0sigstore-json\n{\"mimeType\":\"x\",\"payload\":\"%%%\"}"), "not base64");
        assertMalformed(bytes("\0sigstore-json\n{\"payload\":\"e30=\"}"), "\"mimeType\" must be a string");
        assertMalformed(bytes("\0sigstore-json\n{\"mimeType\":\"x\",\"payload\":\"e30=\",\"annotations\":{\"a\":1}}"),
                "annotation \"a\" must be a string");
        assertMalformed(bytes("\0sigstore-json\n{\"mimeType\":\"x\",\"mimeType\":\"y\",\"payload\":\"e30=\"}"), "sigstore signature");
    }

    private static void assertMalformed(byte[] blob, String message) {
        assertThatThrownBy(() -> ImageSignature.fromBlob(blob, "dir/signature-1"))
                .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
                .hasMessageContaining("dir/signature-1").hasMessageContaining(message);
    }
}
