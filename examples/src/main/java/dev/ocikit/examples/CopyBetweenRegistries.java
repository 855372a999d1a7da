package dev.ocikit.examples;

import dev.ocikit.image.Copy;
import dev.ocikit.image.CopyListener;
import dev.ocikit.image.CopyResult;
import dev.ocikit.spec.image.Descriptor;

/**
 * A runnable sample, Skopeo's job: copy an image (every platform of it) from one registry to
 * another without unpacking it, every blob verified against its digest on the way, and check that
 * the copy has the source's digest.
 *
 * <pre>java -cp ocikit.jar dev.ocikit.examples.CopyBetweenRegistries docker://SRC docker://DST</pre>
 */
public final class CopyBetweenRegistries {
    private CopyBetweenRegistries() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CopyBetweenRegistries SOURCE DESTINATION");
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
    }
}
