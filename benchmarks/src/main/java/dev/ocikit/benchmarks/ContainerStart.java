package dev.ocikit.benchmarks;

import dev.ocikit.image.ImageStore;
import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.OciRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Time from the API call to the exit of {@code echo hi} in a container of a stored image, in one
 * warm JVM, against bare {@code runc run} of a prepared bundle spawned from the same JVM, rounds
 * interleaved so that both see the same machine.
 *
 * <pre>java -cp ... dev.ocikit.benchmarks.ContainerStart STORE IMAGE BUNDLE ROUNDS</pre>
 */
public final class ContainerStart {
    private ContainerStart() {}

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        String image = args[1];
        Path bundle = Path.of(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Path runcRoot = Path.of("/run/ocikit-bench-runc");
        OciRuntime runtime = OciRuntime.builder().store(ImageStore.open(store)).root(store.resolve("runtime"))
                .stateRoot(Path.of("/run/ocikit-bench")).build();

        List<Long> bare = new ArrayList<>();
        List<Long> ours = new ArrayList<>();
        List<Long> oursWithRemoval = new ArrayList<>();
        int warmup = Math.max(5, rounds / 3);
        for (int i = 0; i < warmup + rounds; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("runc", "--root", runcRoot.toString(), "run", "--bundle", bundle.toString(),
                    "bench-" + ProcessHandle.current().pid() + "-" + i)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("bare runc run failed with " + p.exitValue());
            }
            long t1 = System.nanoTime();

            long t2 = System.nanoTime();
            Container c = runtime.container(image).command("echo", "hi").start();
            int code = c.waitFor();
            long t3 = System.nanoTime();
            c.close();
            long t4 = System.nanoTime();
            if (code != 0) {
                throw new IllegalStateException("ocikit's echo exited with " + code);
            }
            if (i >= warmup) {
                bare.add(t1 - t0);
                ours.add(t3 - t2);
                oursWithRemoval.add(t4 - t2);
            }
        }
        System.out.printf("rounds=%d (after %d warm-up rounds)%n", rounds, warmup);
        System.out.printf("bare runc run (prepared bundle)      median %7.2f ms  mean %7.2f ms%n", median(bare), mean(bare));
        System.out.printf("ocikit start..exit (in JVM)          median %7.2f ms  mean %7.2f ms%n", median(ours), mean(ours));
        System.out.printf("ocikit start..exit..removed (in JVM) median %7.2f ms  mean %7.2f ms%n", median(oursWithRemoval),
                mean(oursWithRemoval));
        System.out.printf("ratio ocikit/bare runc (median, start..exit): %.2f%n", median(ours) / median(bare));
    }

    private static double median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2) / 1e6;
    }

    private static double mean(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
    }
}
