package dev.ocikit.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Behaviour that a review of the models found wrong, pinned so it stays right. */
class ReviewFindingsTest {
    static final String D = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDigestIsOnlyEverAString() {
        assertThatThrownBy(() -> Descriptor.parse(utf8(
                "{\"mediaType\":\"a/b\",\"digest\":{\"algorithm\":\"SHA256\",\"encoded\":\"" + D.substring(7) + "\"},\"size\":1}")))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageStartingWith("invalid descriptor at /digest");
        assertThatThrownBy(() -> Descriptor.parse(utf8("{\"mediaType\":\"a/b\",\"digest\":5,\"size\":1}")))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessage("invalid descriptor at /digest: expected a digest string (algorithm:encoded)");
    }

    @Test
    void anImageReferenceIsOnlyEverAString() {
        assertThatThrownBy(() -> Json.parse(utf8("{\"domain\":\"docker.io\",\"path\":\"library/x\"}"), ImageReference.class, "reference"))
                .isInstanceOf(MalformedDocumentException.class);
        assertThat(Json.parse(utf8("\"busybox\""), ImageReference.class, "reference"))
                .isEqualTo(ImageReference.parse("docker.io/library/busybox"));
    }

    @Test
    void unknownFieldsCannotBeChangedFromOutside() {
        ImageManifest m = ImageManifest.parse(utf8("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + D
                + "\",\"size\":1},\"layers\":[],\"x\":{\"k\":1}}"));
        byte[] before = m.toJson();
        ((ObjectNode) m.unknownFields().get("x")).put("evil", 1);
        assertThat(m.toJson()).isEqualTo(before);
    }

    @Test
    void numbersInUnknownFieldsSurviveDigitForDigit() {
        String json = "{\"mediaType\":\"a/b\",\"digest\":\"" + D + "\",\"size\":1,\"x\":[0.1000000000000000055511151231257827,1e400]}";
        Descriptor d = Descriptor.parse(utf8(json));
        assertThat(new String(d.toJson(), StandardCharsets.UTF_8)).contains("0.1000000000000000055511151231257827").doesNotContain("Infinity");
    }

    @Test
    void anOutOfRangeNumberSaysSo() {
        assertThatThrownBy(() -> Descriptor.parse(utf8("{\"mediaType\":\"a/b\",\"digest\":\"" + D + "\",\"size\":99999999999999999999999}")))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessage("invalid descriptor at /size: number out of range for this field");
    }

    @Test
    void aFailedCheckStaysFailed() throws Exception {
        InputStream in = DigestingInputStream.verifying(new ByteArrayInputStream(utf8("hello")),
                Digest.sha256(utf8("other")), 5);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(DigestMismatchException.class);
        assertThatThrownBy(in::read).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void parsedBytesAreOursFromTheStart() {
        byte[] bytes = utf8("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + D + "\",\"size\":1},\"layers\":[]}");
        Parsed<ImageManifest> p = Parsed.imageManifest(bytes);
        bytes[0] = ' ';
        assertThat(p.bytes()[0]).isEqualTo((byte) '{');
        assertThat(p.digest()).isEqualTo(Digest.sha256(p.bytes()));
    }

    @Test
    void anAbsentContainerConfigStaysAbsent() {
        String json = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
        assertThat(new String(ImageConfig.parse(utf8(json)).toJson(), StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void modelConstructorsThrowOurOwnException() {
        assertThatThrownBy(() -> Descriptor.of("not a media type", Digest.parse(D), 1))
                .isInstanceOf(InvalidFieldException.class)
                .isInstanceOf(OciException.class);
    }
}
