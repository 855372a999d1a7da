package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.MalformedDocumentException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OciConfigConversionTest {
    private static String convert(String docker) {
        return new String(OciConfigConversion.fromDocker(docker.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void aDockerConfigBecomesByteForByteWhatSkopeoWrites() {
        // Docker's own fields (Hostname, OnBuild, Healthcheck, container_config, docker_version) go; the rest is
        // written in the Go struct's order with Go's escaping and times. The expected text is what skopeo 1.9.3
        // wrote for this config copying it from a docker-archive to an OCI layout (CliInteropIT checks it live).
        String docker = "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"author\":\"A & B <ab@example.com>\",\"config\":{\"Hos"
                + "tname\":\"h\",\"User\":\"1000:1000\",\"ExposedPorts\":{\"8080/tcp\":{},\"443/tcp\":{}},\"Env\":[\"PATH=/usr/bin\",\"X="
                + "\\u2028\"],\"Entrypoint\":[\"/app\"],\"Cmd\":null,\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/w\",\"Labels\":{\"z\":\"la"
                + "st\",\"a\":\"first\",\"tab\":\"a\\tb\"},\"StopSignal\":\"SIGTERM\",\"ArgsEscaped\":true,\"OnBuild\":[],\"Healthcheck\":{"
                + "\"Test\":[\"NONE\"]}},\"container_config\":{\"Cmd\":[\"x\"]},\"created\":\"2024-05-01T12:00:00.120000000+02:00\",\""
                + "docker_version\":\"24.0\",\"history\":[{\"created\":\"2024-05-01T10:00:00Z\",\"created_by\":\"ADD x\",\"empty_laye"
                + "r\":false,\"comment\":\"c\"},{\"created\":\"2024-05-01T10:00:01.5Z\",\"created_by\":\"CMD\",\"empty_layer\":true,\"a"
                + "uthor\":\"me\"}],\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:e2bad6ebcf8dbdb8c8b44cafa272c3f84ebcc56c"
                + "d7de0fb043e0759f4426295d\"]}}";

        assertThat(convert(docker)).isEqualTo("{\"created\":\"2024-05-01T12:00:00.12+02:00\",\"author\":\"A \\u0026 B \\u003cab@example.com\\u003e\",\"architec"
                + "ture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"config\":{\"User\":\"1000:1000\",\"ExposedPorts\":{\"443/tcp\":{},"
                + "\"8080/tcp\":{}},\"Env\":[\"PATH=/usr/bin\",\"X=\\u2028\"],\"Entrypoint\":[\"/app\"],\"Volumes\":{\"/data\":{}},\"Work"
                + "ingDir\":\"/w\",\"Labels\":{\"a\":\"first\",\"tab\":\"a\\tb\",\"z\":\"last\"},\"StopSignal\":\"SIGTERM\",\"ArgsEscaped\":tru"
                + "e},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:e2bad6ebcf8dbdb8c8b44cafa272c3f84ebcc56cd7de0fb043e"
                + "0759f4426295d\"]},\"history\":[{\"created\":\"2024-05-01T10:00:00Z\",\"created_by\":\"ADD x\",\"comment\":\"c\"},{\""
                + "created\":\"2024-05-01T10:00:01.5Z\",\"created_by\":\"CMD\",\"author\":\"me\",\"empty_layer\":true}]}");
    }

    @Test
    void emptyAndMissingFieldsAreWrittenAsGosStructWritesThem() {
        // architecture, os, config and rootfs are always there, diff_ids as null when absent; times in UTC end in Z
        assertThat(convert("{\"created\":\"2024-05-01T10:00:00+00:00\",\"Architecture\":\"amd64\",\"history\":[]}"))
                .isEqualTo("{\"created\":\"2024-05-01T10:00:00Z\",\"architecture\":\"amd64\",\"os\":\"\",\"config\":{},"
                        + "\"rootfs\":{\"type\":\"\",\"diff_ids\":null}}");
    }

    @Test
    void aConfigGoCouldNotReadIsRefusedWithWhereItIsWrong() {
        assertThatThrownBy(() -> convert("[]")).isInstanceOf(MalformedDocumentException.class);
        assertThatThrownBy(() -> convert("{\"created\":\"yesterday\"}")).isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("/created");
        assertThatThrownBy(() -> convert("{\"config\":{\"Env\":\"A=1\"}}")).isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("/config/Env");
        assertThatThrownBy(() -> convert("{\"config\":{\"Labels\":{\"a\":1}}}")).isInstanceOf(MalformedDocumentException.class)
                .hasMessageContaining("/config/Labels/a");
    }
}
