package dev.ocikit.image;

import dev.ocikit.image.spi.ImageDestination;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A second JVM working on a store, for the cross-process tests of {@link ImageStoreTest}.
 *
 * <ul>
 *   <li>{@code tag ROOT SOURCE PREFIX N}: after a line on stdin, tags SOURCE as PREFIX-0 … PREFIX-(N-1).
 *   <li>{@code hold ROOT SEED}: opens a destination, writes the blobs of {@code TestImages.image(SEED)},
 *       prints {@code READY}, and on a line on stdin halts without closing or committing, as a
 *       crashed process would.
 * </ul>
 */
public final class StoreWorker {
    private StoreWorker() {}

    public static void main(String[] args) throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ImageStore store = ImageStore.open(Path.of(args[1]));
        switch (args[0]) {
            case "tag" -> {
                System.out.println("READY");
                System.out.flush();
                stdin.readLine();
                for (int i = 0; i < Integer.parseInt(args[4]); i++) {
                    store.tag(args[2], args[3] + "-" + i);
                }
                System.out.println("DONE");
            }
            case "hold" -> {
                ImageDestination dest = store.reference("held").openDestination();
                TestImages.putBlobs(dest, TestImages.image(args[2]));
                System.out.println("READY");
                System.out.flush();
                stdin.readLine();
                Runtime.getRuntime().halt(3);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }

    /** Starts a worker JVM on this test class path. */
    static Process start(String... args) throws java.io.IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add(StoreWorker.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
