package dev.ocikit.image.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes images as a {@code docker save} archive, in the legacy layout every Docker version and
 * skopeo load: one directory per layer ({@code <id>/layer.tar}, {@code <id>/VERSION},
 * {@code <id>/json}), the config as {@code <hex>.json}, then {@code manifest.json} and
 * {@code repositories}. The output depends only on the images: members are written in a fixed
 * order with no timestamps or owners, so the same images give the same bytes.
 */
final class DockerArchiveWriter {
    private DockerArchiveWriter() {}

    /**
     * A staged layer.
     *
     * @param diffId the digest of its uncompressed tar
     * @param file the uncompressed tar
     * @param size its size
     * @param blobSize the size of the blob it was given as (maybe compressed)
     */
    record Layer(Digest diffId, Path file, long size, long blobSize) {}

    /** An image to write: its config's bytes, its layers base first, its tags. */
    record Image(byte[] config, List<Layer> layers, List<String> repoTags) {
        Image {
            layers = List.copyOf(layers);
            repoTags = List.copyOf(repoTags);
        }
    }

    /** Config fields a legacy top layer's {@code json} repeats, as {@code docker save} wrote them. */
    private static final List<String> TOP_LAYER_FIELDS = List.of("architecture", "config", "container",
            "container_config", "created", "docker_version", "os");

    static void writeTo(Path archive, List<Image> images) throws IOException {
        Archives.publish(archive, out -> {
            TarArchiveOutputStream tar = Archives.tar(out);
            write(tar, images);
            tar.finish();
        });
    }

    private static void write(TarArchiveOutputStream tar, List<Image> images) throws IOException {
        Set<String> written = new HashSet<>();
        List<DockerArchiveManifest.Item> items = new ArrayList<>();
        Map<String, Map<String, String>> repositories = new TreeMap<>();
        for (Image image : images) {
            Digest configDigest = Digest.sha256(image.config());
            List<String> layerFiles = new ArrayList<>();
            String parent = "";
            Digest chain = null;
            for (int i = 0; i < image.layers().size(); i++) {
                Layer layer = image.layers().get(i);
                boolean top = i == image.layers().size() - 1;
                chain = chain == null ? layer.diffId()
                        : Digest.sha256((chain + " " + layer.diffId()).getBytes(StandardCharsets.UTF_8));
                // A legacy ID names a layer together with everything under it (and, for the top
                // one, the image), so that two images sharing a base share its directories.
                String id = Digest.sha256(("ocikit docker-archive layer\nparent " + parent + "\nchain " + chain
                        + (top ? "\nconfig " + configDigest : "")).getBytes(StandardCharsets.UTF_8)).encoded();
                if (written.add(id)) {
                    Archives.directory(tar, id);
                    Archives.file(tar, id + "/VERSION", "1.0".getBytes(StandardCharsets.US_ASCII));
                    Archives.file(tar, id + "/json", legacyJson(id, parent, top ? image.config() : null));
                    Archives.file(tar, id + "/layer.tar", layer.file());
                }
                layerFiles.add(id + "/layer.tar");
                parent = id;
            }
            String configFile = configDigest.encoded() + ".json";
            if (written.add(configFile)) {
                Archives.file(tar, configFile, image.config());
            }
            items.add(new DockerArchiveManifest.Item(configFile, image.repoTags(), layerFiles));
            if (!parent.isEmpty()) {
                for (String tag : image.repoTags()) {
                    ImageReference ref = ImageReference.parse(tag);
                    repositories.computeIfAbsent(ref.repository(), r -> new TreeMap<>())
                            .put(ref.tag().orElse(ImageReference.DEFAULT_TAG), parent);
                }
            }
        }
        Archives.file(tar, DockerArchiveManifest.FILE, DockerArchiveManifest.write(items));
        Archives.file(tar, DockerArchiveManifest.REPOSITORIES, Json.write(repositories));
    }

    private static byte[] legacyJson(String id, String parent, byte[] config) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        if (!parent.isEmpty()) {
            json.put("parent", parent);
        }
        if (config != null) {
            JsonNode tree = Json.tree(config, "image config");
            for (String field : TOP_LAYER_FIELDS) {
                if (tree.has(field)) {
                    json.put(field, tree.get(field));
                }
            }
        }
        return Json.write(json);
    }
}
