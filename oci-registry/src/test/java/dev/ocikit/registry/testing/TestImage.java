package dev.ocikit.registry.testing;

import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.registry.RegistryRepository;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * A small valid single-layer OCI image made on the spot (one file named after a seed, so that
 * different seeds give different digests): layer, config and manifest bytes, and a helper that
 * pushes it. Immutable.
 */
public record TestImage(byte[] layer, Digest diffId, byte[] config, byte[] manifestBytes) {

    public static TestImage of(String seed) {
        byte[] tar = tar("hello-" + seed + ".txt", ("hello " + seed + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] layer = gzip(tar);
        Digest diffId = Digest.sha256(tar);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"SEED=" + seed + "\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_TAR_GZIP + "\",\"digest\":\"" + Digest.sha256(layer)
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        return new TestImage(layer, diffId, config, manifest);
    }

    public Digest layerDigest() {
        return Digest.sha256(layer);
    }

    public Digest configDigest() {
        return Digest.sha256(config);
    }

    public ManifestBlob manifest() {
        return ManifestBlob.of(manifestBytes, MediaTypes.OCI_MANIFEST);
    }

    /** Pushes layer, config and manifest under {@code tag}; returns the manifest digest. */
    public Digest push(RegistryRepository repo, String tag) throws IOException {
        repo.pushBlob(layerDigest(), layer.length, RegistryRepository.Content.of(layer));
        repo.pushBlob(configDigest(), config.length, RegistryRepository.Content.of(config));
        return repo.putManifest(manifest(), List.of(tag));
    }

    static byte[] tar(String name, byte[] content) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644\0");
        put(h, 108, "0000000\0");
        put(h, 116, "0000000\0");
        put(h, 124, String.format("%011o\0", content.length));
        put(h, 136, String.format("%011o\0", 1_700_000_000L));
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o\0 ", sum));
        int padded = (content.length + 511) / 512 * 512;
        byte[] out = new byte[512 + padded + 1024];
        System.arraycopy(h, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                gz.write(data);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
