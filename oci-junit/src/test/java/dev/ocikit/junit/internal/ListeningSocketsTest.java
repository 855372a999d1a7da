package dev.ocikit.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ListeningSocketsTest {
    private static final String TCP = String.join("\n",
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
            "   1: 0100007F:0050 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1",
            "");
    private static final String TCP6 = String.join("\n",
            "  sl  local_address                         remote_address                        st tx_queue rx_queue",
            "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000",
            "");

    @Test
    void findsListeningSocketsOnly() {
        assertThat(ListeningSockets.listens(TCP, 8080)).isTrue();
        assertThat(ListeningSockets.listens(TCP, 80)).as("an established connection is not a listener").isFalse();
        assertThat(ListeningSockets.listens(TCP6, 22)).isTrue();
        assertThat(ListeningSockets.listens(TCP6, 8080)).isFalse();
    }

    @Test
    void skipsLinesOfOtherShapes() {
        assertThat(ListeningSockets.listens("garbage\n 0: nocolon 0 0A\n 1: 00:ZZZZ 0 0A\n", 0)).isFalse();
        assertThat(ListeningSockets.listens("", 80)).isFalse();
    }

    @Test
    void readsAProcesssOwnTables() throws Exception {
        long self = ProcessHandle.current().pid();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThat(ListeningSockets.listens(self, server.getLocalPort())).contains(true);
        }
    }

    @Test
    void anUnknownProcessHasNoTables() {
        assertThat(ListeningSockets.listens(Long.MAX_VALUE, 80)).isEmpty();
    }
}
