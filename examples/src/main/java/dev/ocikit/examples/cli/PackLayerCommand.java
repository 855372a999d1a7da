package dev.ocikit.examples.cli;

import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerPacker;
import dev.ocikit.image.PackOptions;
import dev.ocikit.image.PackedLayer;
import dev.ocikit.spec.image.Compression;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Packs a directory into one reproducible layer blob, as {@code umoci repack} does for a whole rootfs. */
@Command(name = "pack-layer", description = "Pack a directory into a reproducible layer (tar, tar+gzip or tar+zstd).",
        footer = {"", "Examples:", "  ocikit pack-layer --compression zstd rootfs/ layer.tar.zst"})
final class PackLayerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--compression", paramLabel = "gzip|zstd|none", defaultValue = "gzip", description = "default: ${DEFAULT-VALUE}")
    String compression;

    @Option(names = "--timestamp", paramLabel = "SECONDS", description = "clamp every time to this many seconds since the epoch (default: $SOURCE_DATE_EPOCH if set)")
    Long timestamp;

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Parameters(index = "1", paramLabel = "OUTPUT")
    Path output;

    @Override
    public Integer call() throws Exception {
        PackOptions.Builder options = PackOptions.newBuilder().compression(switch (compression.toLowerCase(Locale.ROOT)) {
            case "gzip" -> Compression.GZIP;
            case "zstd" -> Compression.ZSTD;
            case "none" -> Compression.NONE;
            default -> throw new IllegalArgumentException("--compression must be gzip, zstd or none, not " + compression);
        });
        if (timestamp != null) {
            options.sourceDateEpoch(Instant.ofEpochSecond(timestamp));
        } else {
            options.sourceDateEpoch(PackOptions.sourceDateEpoch(System.getenv()));
        }
        // Created as any new file is (0666 less the umask), as tar and umoci create theirs; a temporary
        // file would be 0600, and stay so once renamed.
        Path temp = output.toAbsolutePath().getParent().resolve("." + output.getFileName() + "."
                + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".partial");
        Files.createFile(temp);
        PackedLayer layer;
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                layer = LayerPacker.of(options.build()).write(LayerContent.directory(dir), out);
            }
            Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s %s %d bytes (DiffID %s)%n", layer.mediaType(), layer.digest(), layer.size(), layer.diffId());
        return 0;
    }
}
