package dev.ocikit.examples;

import dev.ocikit.image.BlobStore;
import dev.ocikit.image.ImageLayout;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerPacker;
import dev.ocikit.image.PackOptions;
import dev.ocikit.image.PackedLayer;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Parsed;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A runnable sample: a directory becomes a one-layer image in an OCI layout, reproducibly (the
 * same directory gives the same digest on any machine), readable by skopeo, umoci and podman.
 *
 * <pre>java -cp ocikit.jar dev.ocikit.examples.ImageFromDirectory DIR LAYOUT TAG [COMMAND...]</pre>
 */
public final class ImageFromDirectory {
    private ImageFromDirectory() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ImageFromDirectory DIR LAYOUT TAG [COMMAND...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path layoutDir = Path.of(args[1]);
        String tag = args[2];
        List<String> command = Arrays.asList(args).subList(3, args.length);
        Instant epoch = Instant.EPOCH; // reproducible: no build time leaks into the image

        ImageLayout layout = ImageLayout.create(layoutDir);
        PackedLayer layer = LayerPacker.of(PackOptions.newBuilder().sourceDateEpoch(epoch).build())
                .pack(LayerContent.directory(dir), BlobStore.open(layoutDir));

        ImageConfig config = ImageConfig.builder()
                .created(epoch)
                .platform(Platform.host())
                .config(ContainerConfig.builder().cmd(command).build())
                .addLayer(layer.diffId(), HistoryEntry.of(epoch, "ocikit: directory " + dir.getFileName()))
                .build();
        Parsed<ImageConfig> configBlob = Parsed.serialize(config);
        layout.putBlob(configBlob.bytes());

        ImageManifest manifest = ImageManifest.builder()
                .config(configBlob.descriptor())
                .addLayer(layer.descriptor())
                .build();
        Descriptor image = layout.putManifest(Parsed.serialize(manifest));
        layout.tag(tag, image);
        System.out.println(image.digest());
    }
}
