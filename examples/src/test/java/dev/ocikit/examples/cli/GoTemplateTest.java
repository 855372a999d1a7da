package dev.ocikit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GoTemplateTest {
    private static final JsonNode SUMMARY = Json.tree(("{\"Digest\":\"sha256:abc\",\"RepoTags\":[],"
            + "\"Created\":\"2024-05-01T10:00:00.500Z\",\"DockerVersion\":\"\",\"Labels\":{\"version\":\"1.2\",\"org.x\":\"y z\"},"
            + "\"Architecture\":\"arm64\",\"Os\":\"linux\",\"Layers\":[\"sha256:1\",\"sha256:2\"],\"Env\":[\"A=1\"]}")
            .getBytes(StandardCharsets.UTF_8), "summary");
    private static final Set<String> FIELDS = Set.of("Name", "Digest", "RepoTags", "Created", "DockerVersion", "Labels",
            "Architecture", "Variant", "Os", "Layers", "LayersData", "Env");

    private static String render(String template) {
        return GoTemplate.parse(template, FIELDS).render(SUMMARY);
    }

    @Test
    void fieldsPrintAsGoPrintsThemWithAFinalNewline() {
        assertThat(render("{{.Digest}}")).isEqualTo("sha256:abc\n");
        assertThat(render("{{.Layers}} {{.Labels}} {{.RepoTags}}\n"))
                .isEqualTo("[sha256:1 sha256:2] map[org.x:y z version:1.2] []\n\n"); // skopeo's newline comes after the template's
        assertThat(render("{{.Created}}")).isEqualTo("2024-05-01 10:00:00.5 +0000 UTC\n");
        // a field of the struct that the JSON leaves out is its zero value; a time's is nil
        assertThat(render("[{{.Name}}][{{.Variant}}]")).isEqualTo("[][]\n");
        assertThat(GoTemplate.parse("{{.Created}}", FIELDS).render(Json.tree("{}".getBytes(StandardCharsets.UTF_8), "x")))
                .isEqualTo("<nil>\n");
    }

    @Test
    void indexLenRangeAndIfWork() {
        assertThat(render("{{index .Labels \"org.x\"}}|{{.Labels.version}}|{{index .Layers 1}}|{{len .Layers}}"))
                .isEqualTo("y z|1.2|sha256:2|2\n");
        assertThat(render("{{index .Labels \"missing\"}}.")).isEqualTo(".\n");
        assertThat(render("{{range .Layers}}<{{.}}>{{end}}")).isEqualTo("<sha256:1><sha256:2>\n");
        assertThat(render("{{range .RepoTags}}t{{else}}no tags{{end}}")).isEqualTo("no tags\n");
        assertThat(render("{{range .Labels}}{{.}};{{end}}")).isEqualTo("y z;1.2;\n");
        assertThat(render("{{if .Env}}env{{else}}none{{end}} {{if .RepoTags}}tags{{else}}untagged{{end}}"))
                .isEqualTo("env untagged\n");
        assertThat(render("a  {{- .Os -}}  b{{\"\\t\"}}c")).isEqualTo("alinuxb\tc\n");
    }

    @Test
    void mistakesAreRefusedWithGosWords() {
        assertThatThrownBy(() -> render("{{.Nope}}")).isInstanceOf(GoTemplate.TemplateException.class)
                .hasMessageContaining("can't evaluate field Nope");
        assertThatThrownBy(() -> render("{{json .Layers}}")).hasMessageContaining("function \"json\" not defined");
        assertThatThrownBy(() -> render("{{range .Layers}}x")).hasMessageContaining("has no {{end}}");
        assertThatThrownBy(() -> render("{{end}}")).hasMessageContaining("unexpected {{end}}");
        assertThatThrownBy(() -> render("{{\"open}}")).hasMessageContaining("unterminated quoted string");
        assertThatThrownBy(() -> render("{{.Digest")).hasMessageContaining("unclosed action");
        assertThatThrownBy(() -> render("{{index .Layers 5}}")).hasMessageContaining("index out of range");
        assertThatThrownBy(() -> render("{{$x := .Os}}")).hasMessageContaining("not supported");
    }
}
