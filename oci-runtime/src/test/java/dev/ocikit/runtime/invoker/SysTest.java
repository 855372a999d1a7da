package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SysTest {
    @Test
    void decodesWaitStatusLikeAShell() {
        assertThat(Sys.exitCode(7 << 8)).isEqualTo(7);       // exit(7)
        assertThat(Sys.exitCode(0)).isZero();
        assertThat(Sys.exitCode(9)).isEqualTo(137);          // SIGKILL
        assertThat(Sys.exitCode(15 | 0x80)).isEqualTo(143);  // SIGTERM with core dump flag
        assertThat(Sys.exitCode(0x137f)).isEqualTo(-1);      // stopped (not reported)
    }

    @Test
    void sockaddrUnLayout() {
        byte[] addr = Sys.sockaddrUn("/run/x.sock".getBytes());
        assertThat(addr).hasSize(110);
        assertThat(addr[0]).isEqualTo((byte) 1);
        assertThat(new String(addr, 2, 11)).isEqualTo("/run/x.sock");
        assertThat(addr[13]).isZero();
    }
}
