package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ocikit.registry.testing.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class PlainHttpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void aPlainHttpServerIsRecognisedByItsAnswerToATlsHello() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            assertThat(PlainHttpProbe.answersPlainHttp("127.0.0.1:" + server.getAddress().getPort(), TIMEOUT)).isTrue();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aTlsServerIsNotTakenForPlainHttp() throws Exception {
        TestCertificates.KeyAndCertificate cert = TestCertificates.selfSigned("127.0.0.1");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", cert.privateKey(), new char[0], new java.security.cert.Certificate[] {cert.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        try (SSLServerSocket ss = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(5_000);
                    s.startHandshake(); // fails on the probe's minimal hello, with an alert back
                } catch (java.io.IOException expected) {
                    // the probe's hello is not one to finish a handshake with
                }
            });
            assertThat(PlainHttpProbe.answersPlainHttp("127.0.0.1:" + ss.getLocalPort(), TIMEOUT)).isFalse();
            served.get();
        }
    }

    @Test
    void silenceAClosedPortOrNoPortMeanUnsure() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept();
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            assertThat(PlainHttpProbe.answersPlainHttp("127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(200))).isFalse();
            Socket s = accepted.get();
            if (s != null) {
                s.close();
            }
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(PlainHttpProbe.answersPlainHttp("127.0.0.1:" + closed, TIMEOUT)).isFalse();
        assertThat(PlainHttpProbe.answersPlainHttp("localhost", TIMEOUT)).isFalse(); // https and http ports differ
        assertThat(PlainHttpProbe.answersPlainHttp("not a host:x", TIMEOUT)).isFalse();
    }
}
