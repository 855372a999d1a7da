package dev.ocikit.examples;

import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyListener;
import dev.ocikit.image.CopyResult;
import dev.ocikit.image.signature.PublicKeyring;
import dev.ocikit.image.signature.SimpleSigning;
import dev.ocikit.image.signature.VerifiedSignature;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.spec.image.Descriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A runnable sample, Skopeo's job: copy an image (every platform of it) from one registry to
 * another without unpacking it, every blob verified against its digest on the way, and check the
 * copy: it has the source's digest, and, given a simple signature of the image (as
 * {@code skopeo standalone-sign} or {@code ocikit standalone-sign} make them) and the signer's
 * public key, the signature verifies against the manifest the destination now serves.
 *
 * <pre>java -cp ocikit.jar dev.ocikit.examples.CopyBetweenRegistries docker://SRC docker://DST [SIGNATURE PUBLIC-KEY]</pre>
 */
public final class CopyBetweenRegistries {
    private CopyBetweenRegistries() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 4) {
            System.err.println("usage: CopyBetweenRegistries SOURCE DESTINATION [SIGNATURE PUBLIC-KEY]");
            System.exit(2);
        }
        CopyResult result = Copy.from(args[0]).to(args[1])
                .allPlatforms()
                .preserveDigests()                      // fail rather than rewrite manifests
                .onProgress(new CopyListener() {
                    @Override
                    public void blobEnded(Descriptor blob, Outcome outcome) {
                        System.out.println(blob.digest().shortId() + " " + outcome);
                    }
                })
                .run();
        System.out.println("copied " + args[0] + " to " + args[1] + " as " + result.manifest().digest() + " ("
                + result.blobsCopied() + " blobs copied, " + result.blobsReused() + " already there)");
        if (args.length == 4) {
            // The signature names the image as it was signed: the source's name. The manifest is the
            // one the destination serves, so a copy that changed it would fail here.
            TransportReference source = Transports.load().parse(args[0]);
            String identity = source.dockerReference().orElseThrow(() -> new IllegalArgumentException(
                    args[0] + " has no registry name for a signature to claim")).toString();
            byte[] manifest;
            try (ImageSource copied = Transports.load().parse(args[1]).openSource()) {
                manifest = copied.manifest(Optional.empty()).bytes();
            }
            VerifiedSignature verified = SimpleSigning.verifyFor(Files.readAllBytes(Path.of(args[2])), manifest, identity,
                    PublicKeyring.read(Path.of(args[3])));
            System.out.println("signature verified: " + identity + " signed by key " + verified.keyFingerprint());
        }
    }
}
