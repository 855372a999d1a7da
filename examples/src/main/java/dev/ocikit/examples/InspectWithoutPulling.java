package dev.ocikit.examples;

import dev.ocikit.image.SourceImage;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;

/**
 * A runnable sample: look at an image in a registry (or any transport) without pulling it: the
 * manifest and the config are fetched and verified, the layers are only listed. Credentials,
 * mirrors and TLS settings come from the files Podman uses (auth.json, registries.conf, certs.d).
 *
 * <pre>java -cp ocikit.jar dev.ocikit.examples.InspectWithoutPulling docker://docker.io/library/busybox:latest</pre>
 */
public final class InspectWithoutPulling {
    private InspectWithoutPulling() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: InspectWithoutPulling REFERENCE");
            System.exit(2);
        }
        try (ImageSource source = Transports.load().parse(args[0]).openSource()) {
            SourceImage image = SourceImage.read(source, Platform.host());
            ImageConfig config = image.config().model();
            System.out.println("digest:   " + image.namedDigest());
            System.out.println("platform: " + config.platform());
            System.out.println("created:  " + config.created().orElse("(unknown)"));
            System.out.println("command:  " + config.config().entrypoint() + " " + config.config().cmd());
            long total = 0;
            for (Descriptor layer : image.manifest().model().layers()) {
                System.out.println("layer:    " + layer.digest() + "  " + layer.size() + " bytes");
                total += layer.size();
            }
            System.out.println("to pull:  " + total + " bytes in " + image.manifest().model().layers().size() + " layers");
        }
    }
}
