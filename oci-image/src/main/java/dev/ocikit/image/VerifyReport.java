package dev.ocikit.image;

import java.nio.file.Path;
import java.util.List;

/** The result of re-hashing a store: how many blobs were checked, and what was wrong. Immutable. */
public record VerifyReport(int checked, List<Problem> problems) {
    public VerifyReport {
        problems = List.copyOf(problems);
    }

    /** Whether nothing was wrong. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** One thing wrong with one file. */
    public record Problem(Path path, String description) {
        @Override
        public String toString() {
            return path + ": " + description;
        }
    }
}
