package dev.ocikit.benchmarks.junit;

import org.junit.jupiter.api.Test;

/** The baseline {@code junit-start.sh} also times: the same launch, a test class without containers. */
public class NoContainerTest {
    @Test
    void first() {
        Marker.print();
    }
}
