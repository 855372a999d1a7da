package dev.ocikit.spec.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the example documents under {@code examples/image/}. */
final class Examples {
    private Examples() {}

    static byte[] bytes(String name) {
        try (InputStream in = Examples.class.getResourceAsStream("/examples/image/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource examples/image/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
