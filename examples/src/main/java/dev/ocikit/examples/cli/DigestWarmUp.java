package dev.ocikit.examples.cli;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Gets SHA-256 compiled to the CPU's SHA instructions before the first blob arrives. HotSpot uses
 * them only in code its C2 compiler made; until then SHA-256 runs about ten times slower. In a
 * fresh JVM copying an image, C2's queue is long by the time the blobs stream, so the first tens
 * of megabytes were hashed at the slow speed (600 ms of CPU in a 96 MB pull). Hashing a little on
 * a thread of its own while the command line, the registry's answers and the manifests are read
 * puts SHA-256 first in the queue; it stops as soon as a megabyte hashes at the compiled speed.
 */
final class DigestWarmUp {
    /** Fast enough to be the compiled code: a megabyte in this time (the slow code needs about 8 ms). */
    private static final long COMPILED_NANOS_PER_MB = 2_000_000;
    private static final int MAX_MB = 48;

    private DigestWarmUp() {}

    static void start() {
        Thread t = new Thread(DigestWarmUp::run, "ocikit-warm-up-sha256");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[64 << 10];
            for (int mb = 0; mb < MAX_MB; mb++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 16; i++) {
                    md.update(chunk);
                }
                if (System.nanoTime() - t0 < COMPILED_NANOS_PER_MB) {
                    return;
                }
            }
        } catch (NoSuchAlgorithmException e) {
            // no SHA-256 here: the copy itself will say so
        }
    }
}
