package dev.ocikit.image.build;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Lets tests of other packages list a gzip layer's entries as {@link ImageBuilderTest} does. */
public final class ImageBuilderTestAccess {
    private ImageBuilderTestAccess() {}

    public static Map<String, String> entries(InputStream gzipLayer) throws IOException {
        return ImageBuilderTest.entries(gzipLayer, true);
    }
}
