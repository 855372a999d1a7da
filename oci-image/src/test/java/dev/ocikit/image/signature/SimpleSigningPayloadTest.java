package dev.ocikit.image.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SimpleSigningPayloadTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final String CRITICAL = "{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" + DIGEST
            + "\"},\"identity\":{\"docker-reference\":\"quay.io/me/app:1\"}}";

    static SimpleSigningPayload parse(String json) {
        return SimpleSigningPayload.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static void refused(String json, String messagePart) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_PAYLOAD))
                .hasMessageContaining(messagePart);
    }

    @Test
    void readsAValidPayload() {
        SimpleSigningPayload p = parse("{\"critical\":" + CRITICAL + ",\"optional\":{\"creator\":\"atomic 5.0\",\"timestamp\":1767225600}}");
        assertThat(p.dockerManifestDigest()).isEqualTo(Digest.parse(DIGEST));
        assertThat(p.dockerReference()).isEqualTo("quay.io/me/app:1");
        assertThat(p.creator()).contains("atomic 5.0");
        assertThat(p.timestamp()).contains(1767225600L);
        assertThat(p.signedAt()).contains(Instant.ofEpochSecond(1767225600L));
    }

    @Test
    void optionalMembersMayBeAbsentOrUnknown() {
        SimpleSigningPayload p = parse("{\"optional\":{\"future\":[1,2],\"timestamp\":1.0e3},\"critical\":" + CRITICAL + "}");
        assertThat(p.creator()).isEmpty();
        assertThat(p.timestamp()).contains(1000L);
        assertThat(parse("{\"critical\":" + CRITICAL + ",\"optional\":{}}").timestamp()).isEmpty();
    }

    @Test
    void writesWhatContainersImageWrites() {
        SimpleSigningPayload p = new SimpleSigningPayload(Digest.parse(DIGEST), "quay.io/me/app:1", Optional.of("a<b>&c"),
                Optional.of(5L));
        assertThat(new String(p.toJson(), StandardCharsets.UTF_8)).isEqualTo("{\"critical\":{\"identity\":{\"docker-reference\":"
                + "\"quay.io/me/app:1\"},\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"atomic container signature\"},"
                + "\"optional\":{\"creator\":\"a\\u003cb\\u003e\\u0026c\",\"timestamp\":5}}");
        assertThat(SimpleSigningPayload.parse(p.toJson())).isEqualTo(p);
        SimpleSigningPayload bare = new SimpleSigningPayload(Digest.parse(DIGEST), "x", Optional.empty(), Optional.empty());
        assertThat(new String(bare.toJson(), StandardCharsets.UTF_8)).endsWith(",\"optional\":{}}");
        assertThat(SimpleSigningPayload.parse(bare.toJson())).isEqualTo(bare);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top-level member | {'critical':CRIT,'optional':{},'extra':1} | unknown member \"extra\" in the payload",
        "unknown critical member | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'DIG'},'identity':{'docker-reference':'a'},'evil':1},'optional':{}} | unknown member \"evil\" in critical",
        "unknown image member | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'DIG','x':1},'identity':{'docker-reference':'a'}},'optional':{}} | unknown member \"x\" in critical.image",
        "unknown identity member | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'DIG'},'identity':{'docker-reference':'a','x':1}},'optional':{}} | unknown member \"x\" in critical.identity",
        "missing optional | {'critical':CRIT} | member \"optional\" missing",
        "missing critical | {'optional':{}} | member \"critical\" missing",
        "missing type | {'critical':{'image':{'docker-manifest-digest':'DIG'},'identity':{'docker-reference':'a'}},'optional':{}} | member \"type\" missing in critical",
        "missing identity | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'DIG'}},'optional':{}} | member \"identity\" missing",
        "missing reference | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'DIG'},'identity':{}},'optional':{}} | \"docker-reference\" missing",
        "wrong type | {'critical':{'type':'cosign container image signature','image':{'docker-manifest-digest':'DIG'},'identity':{'docker-reference':'a'}},'optional':{}} | critical.type is \"cosign container image signature\"",
        "bad digest | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'sha256:abc'},'identity':{'docker-reference':'a'}},'optional':{}} | critical.image.docker-manifest-digest",
        "digest not a string | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':5},'identity':{'docker-reference':'a'}},'optional':{}} | must be a string",
        "null reference | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'DIG'},'identity':{'docker-reference':null}},'optional':{}} | must be a string",
        "empty reference | {'critical':{'type':'atomic container signature','image':{'docker-manifest-digest':'DIG'},'identity':{'docker-reference':''}},'optional':{}} | is empty",
        "fractional timestamp | {'critical':CRIT,'optional':{'timestamp':1.5}} | not an integer",
        "string timestamp | {'critical':CRIT,'optional':{'timestamp':'1'}} | must be a number",
        "creator not a string | {'critical':CRIT,'optional':{'creator':1}} | must be a string",
        "optional not an object | {'critical':CRIT,'optional':[]} | optional must be a JSON object",
        "critical not an object | {'critical':'x','optional':{}} | critical must be a JSON object",
        "not an object | [1] | the payload must be a JSON object",
        "duplicate key | {'critical':CRIT,'critical':CRIT,'optional':{}} | critical",
        "trailing data | {'critical':CRIT,'optional':{}} {} | simple signing payload",
    })
    void refusesWhatContainersImageRefuses(String name, String json, String message) {
        refused(json.replace("CRIT", CRITICAL.replace('"', '\'')).replace("DIG", DIGEST).replace('\'', '"'), message);
    }

    @Test
    void refusesNonJson() {
        refused("not json", "simple signing payload");
        refused("", "simple signing payload");
    }
}
