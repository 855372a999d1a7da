package dev.ocikit.benchmarks.junit;

import java.time.Instant;

/** The line a timed test prints first: {@code FIRST-TEST-LINE <epoch nanoseconds>}, the wall clock when it is written. */
public final class Marker {
    public static final String LINE = "FIRST-TEST-LINE";

    private Marker() {}

    /** Prints the line (System.out flushes at each line, so this is when it appears). */
    public static void print() {
        Instant now = Instant.now();
        System.out.println(LINE + " " + (now.getEpochSecond() * 1_000_000_000L + now.getNano()));
    }
}
