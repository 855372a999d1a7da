package dev.ocikit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.image.CopyListener.Outcome;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.MediaTypes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarsTest {
    @Test
    void barsAreRedrawnInPlaceAndEndWithTheOutcome() {
        StringWriter text = new StringWriter();
        ProgressBars bars = new ProgressBars(new PrintWriter(text));
        Descriptor a = Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, Digest.sha256(new byte[] {1}), 4 << 20);
        Descriptor b = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(new byte[] {2}), 1000);
        bars.blobStarted(a);
        bars.blobStarted(b);
        bars.blobProgress(a, 2 << 20, 4 << 20);
        bars.blobEnded(b, Outcome.REUSED);
        bars.blobEnded(a, Outcome.COPIED);
        String out = text.toString();
        assertThat(out).contains("Copying blob " + a.digest().shortId() + " [")
                .contains("Copying config " + b.digest().shortId() + " skipped: already exists")
                .contains("4.19 MB / 4.19 MB")
                .contains("\033[2A"); // moved up over the two lines drawn before
        String last = out.substring(out.lastIndexOf("Copying blob"));
        assertThat(last).contains("[========================]").contains("| done");
    }
}
