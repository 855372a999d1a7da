package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsDirectoriesTest {
    static KeyPair caKeys;
    static X509Certificate ca;
    static KeyPair serverKeys;
    static X509Certificate server;
    static KeyPair clientKeys;
    static X509Certificate client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generate() throws Exception {
        caKeys = ec();
        ca = certificate("CN=ocikit test CA", caKeys, "CN=ocikit test CA", caKeys.getPrivate(), true);
        serverKeys = ec();
        server = certificate("CN=127.0.0.1", serverKeys, "CN=ocikit test CA", caKeys.getPrivate(), false);
        clientKeys = rsa();
        client = certificate("CN=client", clientKeys, "CN=ocikit test CA", caKeys.getPrivate(), false);
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static X509Certificate certificate(String subject, KeyPair keys, String issuer, PrivateKey signer, boolean isCa) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name(subject), keys.getPublic());
        if (isCa) {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        String alg = signer.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
    }

    static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    /** An "EC PRIVATE KEY" (SEC1) naming its curve, as openssl writes it. */
    static String sec1(KeyPair keys) throws IOException {
        java.security.interfaces.ECPrivateKey k = (java.security.interfaces.ECPrivateKey) keys.getPrivate();
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, k.getS(),
                new org.bouncycastle.asn1.x9.X962Parameters(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1));
        return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }

    static String pkcs8(PrivateKey k) throws Exception {
        return pem(new JcaPKCS8Generator(k, null).generate());
    }

    /** A TLS server on loopback presenting the test server certificate, optionally demanding a client certificate. */
    static String handshake(SSLContext clientContext, boolean needClientAuth) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", serverKeys.getPrivate(), new char[0], new java.security.cert.Certificate[] {server, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLServerSocket ss = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ss.setNeedClientAuth(needClientAuth);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    String who = needClientAuth ? ((X509Certificate) s.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName() : "anonymous";
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                    return who;
                } catch (IOException e) {
                    return "server failed: " + e;
                }
            });
            try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket("127.0.0.1", ss.getLocalPort())) {
                s.setSoTimeout(10_000);
                SSLParameters params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(params);
                s.startHandshake();
                assertThat(s.getInputStream().read()).isEqualTo(1);
            } finally {
                if (!peer.isDone()) {
                    // the client gave up; unblock the server's accept/handshake by closing the listener
                    ss.close();
                }
            }
            return peer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void defaultRootsAndFirstExistingDirectoryOnly() throws IOException {
        Path home = tmp.resolve("home");
        assertThat(CertsDirectories.forEnvironment(ContainersEnvironment.of(Map.of("HOME", home.toString()))).roots())
                .containsExactly(home.resolve(".config/containers/certs.d"), Path.of("/etc/containers/certs.d"),
                        Path.of("/etc/docker/certs.d"));
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Files.createDirectories(b.resolve("reg.example.com:5000"));
        Files.createDirectories(b.resolve("other.example.com"));
        Files.createDirectories(a.resolve("other.example.com"));
        CertsDirectories d = CertsDirectories.at(a, b);
        assertThat(d.directoryFor("reg.example.com:5000")).contains(b.resolve("reg.example.com:5000"));
        assertThat(d.directoryFor("other.example.com")).contains(a.resolve("other.example.com"));
        assertThat(d.directoryFor("reg.example.com")).isEmpty();
        assertThatThrownBy(() -> d.directoryFor("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.directoryFor("..")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void extraCaIsTrustedNextToTheSystemOnes() throws Exception {
        Path root = tmp.resolve("certs.d");
        CertsDirectories d = CertsDirectories.at(root);
        assertThatThrownBy(() -> handshake(d.sslContext("127.0.0.1:5000"), false)).isInstanceOf(SSLHandshakeException.class);
        Path dir = Files.createDirectories(root.resolve("127.0.0.1:5000"));
        Files.writeString(dir.resolve("ca.crt"), pem(ca));
        assertThat(handshake(d.sslContext("127.0.0.1:5000"), false)).isEqualTo("anonymous");
        KeyStore trust = d.trustStore(d.directoryFor("127.0.0.1:5000"));
        assertThat(trust.size()).isGreaterThan(1);
        assertThat(trust.getCertificateAlias(ca)).isEqualTo("certs.d-ca.crt-0");
        // the extra CA is for this registry only
        assertThatThrownBy(() -> handshake(d.sslContext("127.0.0.1:5001"), false)).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void clientCertificatesWithEachKeyFormat() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("certs.d/127.0.0.1"));
        Files.writeString(dir.resolve("ca.crt"), pem(ca));
        Files.writeString(dir.resolve("client.cert"), pem(client));
        CertsDirectories d = CertsDirectories.at(tmp.resolve("certs.d"));
        for (String key : List.of(pem(clientKeys.getPrivate()), pkcs8(clientKeys.getPrivate()))) {
            Files.writeString(dir.resolve("client.key"), key);
            assertThat(handshake(d.sslContext("127.0.0.1"), true)).isEqualTo("CN=client");
        }
        KeyPair ecClient = ec();
        X509Certificate ecCert = certificate("CN=ec-client", ecClient, "CN=ocikit test CA", caKeys.getPrivate(), false);
        Files.writeString(dir.resolve("client.cert"), pem(ecCert));
        Files.writeString(dir.resolve("client.key"), sec1(ecClient));
        assertThat(handshake(d.sslContext("127.0.0.1"), true)).isEqualTo("CN=ec-client");
        // without the curve in the key (as Go's parser, we need it)
        Files.writeString(dir.resolve("client.key"), pem(ecClient.getPrivate()));
        assertThatThrownBy(() -> d.sslContext("127.0.0.1"))
                .hasMessage(dir.resolve("client.key") + ": EC private key is malformed: it does not name its curve");
    }

    @Test
    void unpairedOrBrokenFilesAreRefusedWithTheirNames() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("certs.d/reg.example.com"));
        CertsDirectories d = CertsDirectories.at(tmp.resolve("certs.d"));
        Files.writeString(dir.resolve("client.cert"), pem(client));
        assertThatThrownBy(() -> d.sslContext("reg.example.com"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessage(dir.resolve("client.cert") + ": client certificate has no key client.key next to it;"
                        + " CA certificates must use the extension .crt");
        Files.delete(dir.resolve("client.cert"));
        Files.writeString(dir.resolve("lonely.key"), pkcs8(clientKeys.getPrivate()));
        assertThatThrownBy(() -> d.sslContext("reg.example.com"))
                .hasMessage(dir.resolve("lonely.key") + ": key has no client certificate lonely.cert next to it");
        Files.delete(dir.resolve("lonely.key"));
        Files.writeString(dir.resolve("bad.crt"), "not a certificate");
        assertThatThrownBy(() -> d.sslContext("reg.example.com"))
                .isInstanceOf(ContainersConfigException.class)
                .hasMessageStartingWith(dir.resolve("bad.crt") + ": ");
        Files.delete(dir.resolve("bad.crt"));
        Files.writeString(dir.resolve("c.cert"), pem(client));
        Files.writeString(dir.resolve("c.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> d.sslContext("reg.example.com"))
                .hasMessage(dir.resolve("c.key") + ": is an encrypted private key; certs.d keys must be unencrypted");
    }

    @Test
    void noDirectoryMeansSystemTrustOnly() throws Exception {
        CertsDirectories d = CertsDirectories.at(tmp.resolve("none"));
        assertThat(d.sslContext("quay.io")).isNotNull();
        assertThat(d.trustStore(Optional.empty()).size()).isGreaterThan(0);
    }
}
