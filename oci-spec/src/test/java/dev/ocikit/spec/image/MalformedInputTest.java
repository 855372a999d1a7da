package dev.ocikit.spec.image;

import static dev.ocikit.spec.image.Examples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.UnsupportedManifestException;
import java.util.Optional;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each bad input fails with a typed exception whose message names the field and the problem. */
class MalformedInputTest {
    static final String D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    static final String D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    static final String CONFIG = "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1
            + "\",\"size\":10}";
    static final String LAYER = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D2
            + "\",\"size\":20}";
    static final String OCI_MT = "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"";
    static final String INDEX_MT = "\"mediaType\":\"application/vnd.oci.image.index.v1+json\"";

    static String manifest(String schemaVersion, String config, String layers) {
        return "{\"schemaVersion\":" + schemaVersion + "," + OCI_MT + ",\"config\":" + config + ",\"layers\":" + layers + "}";
    }

    static String manifestWithLayer(String layer) {
        return manifest("2", CONFIG, "[" + layer + "]");
    }

    static String config(String rootfs) {
        return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":" + rootfs + "}";
    }

    static String schema1(String mediaType) {
        return "Docker image manifest v2 schema 1 (" + mediaType + ") is not supported: it is deprecated and has no"
                + " content-addressable image config. Re-push the image with a current client (docker push, podman push"
                + " or skopeo copy) so that the registry stores it as Docker v2 schema 2 or OCI";
    }

    /**
     * Trailing content is refused, but the shared Json setup words it as a type mismatch; only the
     * start of the message is pinned until that wording is fixed there.
     */
    static final String TRAILING = "invalid image manifest: ";

    static Arguments bad(String name, ThrowingCallable call, Class<? extends Throwable> type, String message) {
        return Arguments.of(name, call, type, message);
    }

    static ThrowingCallable manifestOf(String json) {
        return () -> ImageManifest.parse(utf8(json));
    }

    static ThrowingCallable anyOf(String json) {
        return () -> Manifest.parse(utf8(json));
    }

    static ThrowingCallable anyOf(String json, String contentType) {
        return () -> Manifest.parse(utf8(json), Optional.of(contentType));
    }

    static ThrowingCallable indexOf(String json) {
        return () -> ImageIndex.parse(utf8(json));
    }

    static ThrowingCallable configOf(String json) {
        return () -> ImageConfig.parse(utf8(json));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                bad("schemaVersion 1", anyOf("{\"schemaVersion\":1,\"name\":\"x/y\",\"tag\":\"1\",\"fsLayers\":[]}"),
                        UnsupportedManifestException.class, schema1("application/vnd.docker.distribution.manifest.v1+json")),
                bad("signed schema 1 by mediaType", anyOf("{\"schemaVersion\":1,\"mediaType\":"
                        + "\"application/vnd.docker.distribution.manifest.v1+prettyjws\",\"signatures\":[]}"),
                        UnsupportedManifestException.class, schema1("application/vnd.docker.distribution.manifest.v1+prettyjws")),
                bad("schema 1 by Content-Type", anyOf("{\"schemaVersion\":1,\"fsLayers\":[]}",
                        "application/vnd.docker.distribution.manifest.v1+json"),
                        UnsupportedManifestException.class, schema1("application/vnd.docker.distribution.manifest.v1+json")),
                bad("schemaVersion 1 asked for as a manifest", manifestOf(manifest("1", CONFIG, "[]")),
                        UnsupportedManifestException.class, schema1("application/vnd.docker.distribution.manifest.v1+json")),
                bad("schemaVersion 3", manifestOf(manifest("3", CONFIG, "[]")),
                        MalformedDocumentException.class, "invalid image manifest at /schemaVersion: must be 2, got 3"),
                bad("schemaVersion missing", manifestOf("{" + OCI_MT + ",\"config\":" + CONFIG + ",\"layers\":[]}"),
                        MalformedDocumentException.class, "invalid image manifest at /schemaVersion: required field is missing"),
                bad("schemaVersion as string", manifestOf(manifest("\"2\"", CONFIG, "[]")),
                        MalformedDocumentException.class, "invalid image manifest at /schemaVersion: expected an integer"),
                bad("config missing", manifestOf("{\"schemaVersion\":2," + OCI_MT + ",\"layers\":[]}"),
                        MalformedDocumentException.class, "invalid image manifest at /config: required field is missing"),
                bad("layers missing", manifestOf("{\"schemaVersion\":2," + OCI_MT + ",\"config\":" + CONFIG + "}"),
                        MalformedDocumentException.class, "invalid image manifest at /layers: required field is missing"),
                bad("layers not an array", manifestOf(manifest("2", CONFIG, "{}")),
                        MalformedDocumentException.class, "invalid image manifest at /layers: expected an array"),
                bad("layer null", manifestOf(manifest("2", CONFIG, "[null]")),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0: null is not allowed here"),
                bad("digest malformed", manifestOf(manifestWithLayer(LAYER.replace(D2, "sha256:abc"))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/digest: invalid sha256 digest: encoded part must be 64 lowercase hex characters, got 'abc'"),
                bad("digest algorithm unsupported", manifestOf(manifestWithLayer(LAYER.replace(D2,
                        "md5:d41d8cd98f00b204e9800998ecf8427e"))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/digest: unsupported digest algorithm 'md5' in 'md5:d41d8cd98f00b204e9800998ecf8427e': ocikit supports sha256 and sha512"),
                bad("size negative", manifestOf(manifestWithLayer(LAYER.replace("\"size\":20", "\"size\":-1"))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/size: must not be negative, got -1"),
                bad("size as string", manifestOf(manifestWithLayer(LAYER.replace("\"size\":20", "\"size\":\"20\""))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/size: expected an integer"),
                bad("size fractional", manifestOf(manifestWithLayer(LAYER.replace("\"size\":20", "\"size\":20.5"))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/size: expected an integer"),
                bad("size missing", manifestOf(manifestWithLayer(LAYER.replace(",\"size\":20", ""))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/size: required field is missing"),
                bad("mediaType with spaces", manifestOf(manifest("2", CONFIG.replace("application/vnd.oci.image.config.v1+json",
                        "application/vnd.oci.image config"), "[]")),
                        MalformedDocumentException.class, "invalid image manifest at /config/mediaType: 'application/vnd.oci.image config' is not a media type: expected type/subtype as RFC 6838 names them, without spaces or parameters"),
                bad("mediaType with parameters", manifestOf(manifestWithLayer(LAYER.replace("tar+gzip\"", "tar+gzip; x=1\""))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip; x=1' is not a media type: expected type/subtype as RFC 6838 names them, without spaces or parameters"),
                bad("descriptor mediaType missing", manifestOf(manifestWithLayer(LAYER.replace(
                        "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",", ""))),
                        MalformedDocumentException.class, "invalid image manifest at /layers/0/mediaType: required field is missing"),
                bad("data not base64", manifestOf(manifest("2", CONFIG.replace("}", ",\"data\":\"!!notbase64\"}"), "[]")),
                        MalformedDocumentException.class, "invalid image manifest at /config/data: not valid base64: Illegal base64 character 21"),
                bad("both manifests and layers", anyOf("{\"schemaVersion\":2,\"manifests\":[],\"config\":" + CONFIG
                        + ",\"layers\":[]}"),
                        MalformedDocumentException.class, "invalid manifest: has both 'manifests' and 'config', so it could be read as an image index or as an image manifest; refused as CVE-2021-41190 requires (a document must be unambiguously one or the other)"),
                bad("both manifests and layers, mediaType manifest", manifestOf(manifest("2", CONFIG, "[]")
                        .replace("\"layers\"", "\"manifests\":[],\"layers\"")),
                        MalformedDocumentException.class, "invalid image manifest: has both 'manifests' and 'config', so it could be read as an image index or as an image manifest; refused as CVE-2021-41190 requires (a document must be unambiguously one or the other)"),
                bad("mediaType contradicts Content-Type", anyOf(manifest("2", CONFIG, "[]"),
                        "application/vnd.oci.image.index.v1+json"),
                        MalformedDocumentException.class, "invalid manifest at /mediaType: 'application/vnd.oci.image.manifest.v1+json' contradicts the Content-Type 'application/vnd.oci.image.index.v1+json'; refused as CVE-2021-41190 requires (the mediaType field and the Content-Type must agree)"),
                bad("Content-Type index for a manifest without mediaType", anyOf(
                        "{\"schemaVersion\":2,\"config\":" + CONFIG + ",\"layers\":[]}",
                        "application/vnd.oci.image.index.v1+json; charset=utf-8"),
                        MalformedDocumentException.class, "invalid manifest at /config: its Content-Type says image index (application/vnd.oci.image.index.v1+json) but it has a 'config' field; refused as CVE-2021-41190 requires (an index must not be readable as a manifest)"),
                bad("mediaType index on manifest content", anyOf("{\"schemaVersion\":2," + INDEX_MT + ",\"config\":"
                        + CONFIG + ",\"layers\":[]}"),
                        MalformedDocumentException.class, "invalid manifest at /config: its mediaType says image index (application/vnd.oci.image.index.v1+json) but it has a 'config' field; refused as CVE-2021-41190 requires (an index must not be readable as a manifest)"),
                bad("mediaType manifest on index content", anyOf("{\"schemaVersion\":2," + OCI_MT + ",\"manifests\":[]}"),
                        MalformedDocumentException.class, "invalid manifest at /manifests: its mediaType says image manifest (application/vnd.oci.image.manifest.v1+json) but it has a 'manifests' field; refused as CVE-2021-41190 requires (a manifest must not be readable as an index)"),
                bad("index read as a manifest", manifestOf("{\"schemaVersion\":2," + INDEX_MT + ",\"manifests\":[]}"),
                        MalformedDocumentException.class, "invalid image manifest at /mediaType: this is an image index (application/vnd.oci.image.index.v1+json), not an image manifest; refused as CVE-2021-41190 requires (a document must not be read as another kind)"),
                bad("manifest read as an index", indexOf(manifest("2", CONFIG, "[]")),
                        MalformedDocumentException.class, "invalid image index at /mediaType: this is an image manifest (application/vnd.oci.image.manifest.v1+json), not an image index; refused as CVE-2021-41190 requires (a document must not be read as another kind)"),
                bad("unknown manifest media type", anyOf("{\"schemaVersion\":2,\"mediaType\":"
                        + "\"application/vnd.oci.artifact.manifest.v1+json\",\"blobs\":[]}"),
                        UnsupportedManifestException.class, "unsupported manifest: mediaType 'application/vnd.oci.artifact.manifest.v1+json' is neither an image manifest (application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json) nor an image index (application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json)"),
                bad("neither manifest nor index", anyOf("{\"schemaVersion\":2}"),
                        MalformedDocumentException.class, "invalid manifest: neither an image manifest nor an image index: it has no mediaType and neither 'manifests' nor 'config'/'layers'"),
                bad("duplicate key", manifestOf("{\"schemaVersion\":2,\"schemaVersion\":2,\"config\":" + CONFIG
                        + ",\"layers\":[]}"),
                        MalformedDocumentException.class, "invalid image manifest: not valid JSON: Duplicate field 'schemaVersion' (line 1, column 35)"),
                bad("truncated JSON", manifestOf(manifest("2", CONFIG, "[]").substring(0, 60)),
                        MalformedDocumentException.class, "invalid image manifest: not valid JSON: Unexpected end-of-input in VALUE_STRING (line 1, column 61)"),
                bad("trailing content", manifestOf(manifest("2", CONFIG, "[]") + " {}"),
                        MalformedDocumentException.class, TRAILING),
                bad("empty document", manifestOf(""),
                        MalformedDocumentException.class, "invalid image manifest: empty document"),
                bad("array instead of object", anyOf("[]"),
                        MalformedDocumentException.class, "invalid manifest: expected a JSON object"),
                bad("annotation not a string", manifestOf(manifest("2", CONFIG, "[]").replace("\"layers\"",
                        "\"annotations\":{\"a\":1},\"layers\"")),
                        MalformedDocumentException.class, "invalid image manifest at /annotations/a: expected a string"),
                bad("platform missing architecture", indexOf("{\"schemaVersion\":2,\"manifests\":[" + CONFIG.replace(
                        "}", ",\"platform\":{\"os\":\"linux\"}}") + "]}"),
                        MalformedDocumentException.class, "invalid image index at /manifests/0/platform/architecture: required field is missing"),
                bad("diff_ids with a bad digest", configOf(config("{\"type\":\"layers\",\"diff_ids\":[\"" + D1
                        + "\",\"sha256:XYZ\"]}")),
                        MalformedDocumentException.class, "invalid image config at /rootfs/diff_ids/1: invalid sha256 digest: encoded part must be 64 lowercase hex characters, got 'XYZ'"),
                bad("diff_ids missing", configOf(config("{\"type\":\"layers\"}")),
                        MalformedDocumentException.class, "invalid image config at /rootfs/diff_ids: required field is missing"),
                bad("rootfs type not layers", configOf(config("{\"type\":\"snapshot\",\"diff_ids\":[]}")),
                        MalformedDocumentException.class, "invalid image config at /rootfs/type: must be \"layers\", got \"snapshot\""),
                bad("rootfs missing", configOf("{\"architecture\":\"amd64\",\"os\":\"linux\"}"),
                        MalformedDocumentException.class, "invalid image config at /rootfs: required field is missing"),
                bad("config os missing", configOf("{\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"),
                        MalformedDocumentException.class, "invalid image config at /os: required field is missing"),
                bad("ExposedPorts value not an object", configOf(config("{\"type\":\"layers\",\"diff_ids\":[]}")
                        .replace("\"rootfs\"", "\"config\":{\"ExposedPorts\":{\"80/tcp\":true}},\"rootfs\"")),
                        MalformedDocumentException.class, "invalid image config at /config/ExposedPorts/80~1tcp: expected an empty object {}"),
                bad("Volumes not an object", configOf(config("{\"type\":\"layers\",\"diff_ids\":[]}")
                        .replace("\"rootfs\"", "\"config\":{\"Volumes\":[\"/data\"]},\"rootfs\"")),
                        MalformedDocumentException.class,
                        "invalid image config at /config/Volumes: expected an object whose values are {}, such as {\"80/tcp\": {}}"),
                bad("Env not a list of strings", configOf(config("{\"type\":\"layers\",\"diff_ids\":[]}")
                        .replace("\"rootfs\"", "\"config\":{\"Env\":[\"A=1\",2]},\"rootfs\"")),
                        MalformedDocumentException.class, "invalid image config at /config/Env/1: expected a string"),
                bad("Healthcheck Retries negative", configOf(config("{\"type\":\"layers\",\"diff_ids\":[]}")
                        .replace("\"rootfs\"", "\"config\":{\"Healthcheck\":{\"Retries\":-2}},\"rootfs\"")),
                        MalformedDocumentException.class, "invalid image config at /config/Healthcheck/Retries: must not be negative, got -2"),
                bad("oci-layout without version", () -> OciLayout.parse(utf8("{}")),
                        MalformedDocumentException.class, "invalid oci-layout file at /imageLayoutVersion: required field is missing"),
                bad("descriptor data not matching its digest", () -> Descriptor.parse(utf8(
                        "{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + D1
                                + "\",\"size\":2,\"data\":\"e30=\"}")).decodedData(),
                        DigestMismatchException.class, "embedded data of descriptor sha256:1111111111111111111111111111111111111111111111111111111111111111 hashes to sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a: the data field does not hold the described content"),
                bad("descriptor data not matching its size", () -> Descriptor.parse(utf8(
                        "{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":"
                                + "\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
                                + "\"size\":3,\"data\":\"e30=\"}")).decodedData(),
                        DigestMismatchException.class, "embedded data of descriptor sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a is 2 bytes long but the descriptor says 3"),
                bad("created not RFC 3339", () -> ImageConfig.parse(utf8(config("{\"type\":\"layers\",\"diff_ids\":[]}")
                        .replace("{\"arch", "{\"created\":\"yesterday\",\"arch"))).createdInstant(),
                        MalformedDocumentException.class, "invalid image config at /created: 'yesterday' is not an RFC 3339 date-time"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refused(String name, ThrowingCallable call, Class<? extends Throwable> type, String message) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).as(name).isInstanceOf(type);
        if (message == TRAILING) {
            assertThat(t).hasMessageStartingWith(message);
        } else {
            assertThat(t).hasMessage(message);
        }
    }
}
