package dev.ocikit.examples.cli;

import dev.ocikit.image.CopyListener;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-blob progress bars on a terminal, as skopeo and podman draw them: one line per blob with
 * bytes done, rate and time left, redrawn in place at most ten times a second. Thread-safe: the
 * copy engine reports from several threads.
 */
final class ProgressBars implements CopyListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 24;

    private final PrintWriter out;
    private final Map<Digest, Line> lines = new LinkedHashMap<>();
    private int drawn;
    private long lastDraw;

    private static final class Line {
        final String kind;
        final long total;
        final long start = System.nanoTime();
        long done;
        String outcome;

        Line(String kind, long total) {
            this.kind = kind;
            this.total = total;
        }
    }

    ProgressBars(PrintWriter out) {
        this.out = out;
    }

    /** Whether this process writes to a terminal that can redraw lines. */
    static boolean terminal() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equals("dumb");
    }

    @Override
    public synchronized void blobStarted(Descriptor blob) {
        lines.put(blob.digest(), new Line(MediaTypes.isConfig(blob.mediaType()) ? "config" : "blob", blob.size()));
        draw(true);
    }

    @Override
    public synchronized void blobProgress(Descriptor blob, long bytesDone, long bytesTotal) {
        Line l = lines.get(blob.digest());
        if (l != null) {
            l.done = bytesDone;
            draw(false);
        }
    }

    @Override
    public synchronized void blobEnded(Descriptor blob, Outcome outcome) {
        Line l = lines.computeIfAbsent(blob.digest(), d -> new Line(
                MediaTypes.isConfig(blob.mediaType()) ? "config" : "blob", blob.size()));
        l.done = outcome == Outcome.COPIED ? l.total : l.done;
        l.outcome = switch (outcome) {
            case REUSED -> "skipped: already exists";
            case COPIED -> "done";
            default -> "failed";
        };
        draw(true);
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        StringBuilder sb = new StringBuilder();
        if (drawn > 0) {
            sb.append("\033[").append(drawn).append('A');
        }
        for (Map.Entry<Digest, Line> e : lines.entrySet()) {
            sb.append("\r\033[2K").append(render(e.getKey(), e.getValue(), now)).append('\n');
        }
        drawn = lines.size();
        out.print(sb);
        out.flush();
    }

    static String render(Digest digest, Line l, long now) {
        String head = "Copying " + l.kind + " " + digest.shortId();
        if (l.outcome != null && !l.outcome.equals("done")) {
            return head + " " + l.outcome;
        }
        double fraction = l.total > 0 ? Math.min(1.0, (double) l.done / l.total) : 0;
        int filled = (int) Math.round(fraction * BAR);
        String bar = "[" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (fraction >= 1 ? "=" : ">") : "")
                + " ".repeat(BAR - filled) + "]";
        double seconds = Math.max(1e-3, (now - l.start) / 1e9);
        double rate = l.done / seconds;
        String tail;
        if (l.outcome != null) {
            tail = "done";
        } else if (rate > 0 && l.total > l.done) {
            tail = "ETA " + Math.round((l.total - l.done) / rate) + "s";
        } else {
            tail = "";
        }
        return head + " " + bar + " " + StoreCommands.humanSize(l.done) + " / " + StoreCommands.humanSize(l.total)
                + " | " + StoreCommands.humanSize((long) rate) + "/s" + (tail.isEmpty() ? "" : " | " + tail);
    }
}
