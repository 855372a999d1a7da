package dev.ocikit.runtime.testing;

import dev.ocikit.image.BlobStore;
import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageLayout;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerPacker;
import dev.ocikit.image.PackOptions;
import dev.ocikit.image.PackedLayer;
import dev.ocikit.image.StoreTransport;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.ContainerConfig;
import dev.ocikit.spec.image.HistoryEntry;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Puts a busybox image (one layer made from {@link BusyboxRootfs}, plus an optional second
 * layer of extra files) into an image store, under a name, with an image config the test shapes.
 */
public final class BusyboxImage {
    private BusyboxImage() {}

    /** Stores {@code name} in {@code store}; {@code extra} may add files to a second layer (or do nothing). */
    public static void store(ImageStore store, String name, ContainerConfig config, Path scratch,
            IoConsumer<Path> extra) throws IOException {
        Path layoutDir = scratch.resolve("layout-" + Math.abs(name.hashCode()));
        ImageLayout layout = ImageLayout.create(layoutDir);
        BlobStore blobs = BlobStore.open(layoutDir);
        LayerPacker packer = LayerPacker.of(PackOptions.newBuilder().sourceDateEpoch(Instant.EPOCH).build());
        Path base = BusyboxRootfs.create(scratch.resolve("rootfs-" + Math.abs(name.hashCode())));
        PackedLayer first = packer.pack(LayerContent.directory(base), blobs);
        ImageConfig.Builder image = ImageConfig.builder()
                .created(Instant.EPOCH)
                .platform(Platform.host())
                .config(config)
                .addLayer(first.diffId(), HistoryEntry.of(Instant.EPOCH, "busybox"));
        ImageManifest.Builder manifest = ImageManifest.builder().addLayer(first.descriptor());
        Path extraDir = scratch.resolve("extra-" + Math.abs(name.hashCode()));
        Files.createDirectories(extraDir);
        extra.accept(extraDir);
        try (var files = Files.list(extraDir)) {
            if (files.findAny().isPresent()) {
                PackedLayer second = packer.pack(LayerContent.directory(extraDir), blobs);
                image.addLayer(second.diffId(), HistoryEntry.of(Instant.EPOCH, "extra files"));
                manifest.addLayer(second.descriptor());
            }
        }
        Parsed<ImageConfig> configBlob = Parsed.serialize(image.build());
        layout.putBlob(configBlob.bytes());
        var descriptor = layout.putManifest(Parsed.serialize(manifest.config(configBlob.descriptor()).build()));
        layout.tag("image", descriptor);
        Copy.from("oci:" + layoutDir + ":image")
                .to(StoreTransport.reference(store.root(), name))
                .run();
    }

    /** Stores a plain busybox image whose command is {@code sh}. */
    public static void store(ImageStore store, String name, Path scratch) throws IOException {
        store(store, name, ContainerConfig.builder().cmd(java.util.List.of("sh")).build(), scratch, dir -> {});
    }

    /** A consumer that may throw IOException. */
    @FunctionalInterface
    public interface IoConsumer<T> {
        void accept(T value) throws IOException;
    }

}
