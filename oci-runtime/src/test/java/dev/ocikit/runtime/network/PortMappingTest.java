package dev.ocikit.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.runtime.network.PortMapping.Protocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PortMappingTest {
    @ParameterizedTest
    @CsvSource({
        "8080, 127.0.0.1, 0, 8080, TCP",
        "18080:8080, 127.0.0.1, 18080, 8080, TCP",
        "127.0.0.1:18080:8080/udp, 127.0.0.1, 18080, 8080, UDP",
        "0.0.0.0:80:8080/tcp, 0.0.0.0, 80, 8080, TCP",
        "127.0.0.1::8080, 127.0.0.1, 0, 8080, TCP",
        ":9000:53/UDP, 127.0.0.1, 9000, 53, UDP",
        "53/udp, 127.0.0.1, 0, 53, UDP",
    })
    void readsPodmansNotation(String text, String ip, int host, int container, Protocol protocol) {
        assertThat(PortMapping.parse(text)).isEqualTo(new PortMapping(ip, host, container, protocol));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "8080/sctp", "8080/icmp", "8080-8090", "1:2:3:4", "[::1]:80:80",
        "localhost:80:80", "300.1.1.1:80:80", "0", "65536", "80:65536", "99999999999:80", "18080:", "1.2.3:80:80", "-1"})
    void refusesWhatItCannotPublish(String text) {
        assertThatThrownBy(() -> PortMapping.parse(text))
                .isInstanceOf(InvalidPortMappingException.class)
                .hasMessageContaining("invalid port mapping")
                .hasMessageContaining("expected [[hostIp:][hostPort]:]containerPort");
    }

    @Test
    void nullIsATypedError() {
        assertThatThrownBy(() -> PortMapping.parse(null)).isInstanceOf(InvalidPortMappingException.class);
    }

    @Test
    void defaultsAndRoundTrip() {
        PortMapping p = new PortMapping(null, 0, 80, null);
        assertThat(p.hostIp()).isEqualTo("127.0.0.1");
        assertThat(p.protocol()).isEqualTo(Protocol.TCP);
        assertThat(p.withHostPort(4000).toString()).isEqualTo("127.0.0.1:4000:80/tcp");
        assertThat(PortMapping.parse(p.withHostPort(4000).toString())).isEqualTo(p.withHostPort(4000));
    }

    @Test
    void recordConstructorValidates() {
        assertThatThrownBy(() -> new PortMapping("127.0.0.1", 0, 0, Protocol.TCP)).isInstanceOf(InvalidPortMappingException.class);
        assertThatThrownBy(() -> new PortMapping("127.0.0.1", -1, 80, Protocol.TCP)).isInstanceOf(InvalidPortMappingException.class);
        assertThatThrownBy(() -> new PortMapping("::1", 1, 80, Protocol.TCP)).isInstanceOf(InvalidPortMappingException.class);
    }
}
