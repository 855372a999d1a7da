package dev.ocikit.image.archive;

import dev.ocikit.image.spi.Transports;
import dev.ocikit.image.testing.TestLayoutTransport;
import java.util.List;
import java.util.Optional;

/** {@link OciArchiveIT} over the test stand-in for the oci: transport. */
class OciArchiveOverTestLayoutIT extends OciArchiveIT {
    @Override
    Transports transportsUnderTest() {
        TestLayoutTransport oci = new TestLayoutTransport();
        return Transports.of(List.of(new OciArchiveTransport(() -> Optional.of(oci))));
    }
}
