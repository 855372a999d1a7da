package dev.ocikit.image.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a {@code docker save} archive: a JSON array with one item per
 * image, each naming its config file, its tags and its layer files, base first. Other fields
 * ({@code Parent}, {@code LayerSources}) are ignored.
 */
final class DockerArchiveManifest {
    static final String FILE = "manifest.json";
    static final String REPOSITORIES = "repositories";

    private DockerArchiveManifest() {}

    /** One image in the archive. */
    record Item(String config, List<String> repoTags, List<String> layers) {
        Item {
            repoTags = List.copyOf(repoTags);
            layers = List.copyOf(layers);
        }
    }

    static List<Item> parse(byte[] json, Path archive) {
        JsonNode root;
        try {
            root = Json.tree(json, "docker archive manifest.json");
        } catch (MalformedDocumentException e) {
            throw new MalformedArchiveException(archive, e.getMessage(), e);
        }
        if (!root.isArray()) {
            throw new MalformedArchiveException(archive, FILE + " is not a JSON array");
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            String at = FILE + " item " + i;
            if (!item.isObject()) {
                throw new MalformedArchiveException(archive, at + " is not a JSON object");
            }
            JsonNode config = item.get("Config");
            if (config == null || !config.isTextual() || config.textValue().isEmpty()) {
                throw new MalformedArchiveException(archive, at + " has no Config file name");
            }
            items.add(new Item(config.textValue(), strings(item.get("RepoTags"), at + " RepoTags", archive),
                    strings(item.get("Layers"), at + " Layers", archive)));
        }
        return items;
    }

    private static List<String> strings(JsonNode node, String what, Path archive) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new MalformedArchiveException(archive, what + " is not an array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new MalformedArchiveException(archive, what + " holds something other than a string");
            }
            out.add(n.textValue());
        }
        return out;
    }

    static byte[] write(List<Item> items) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Item item : items) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Config", item.config());
            m.put("RepoTags", item.repoTags());
            m.put("Layers", item.layers());
            out.add(m);
        }
        return Json.write(out);
    }
}
