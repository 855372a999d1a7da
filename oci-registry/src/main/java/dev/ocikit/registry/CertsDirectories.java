package dev.ocikit.registry;

import dev.ocikit.spec.internal.Text;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Per-registry TLS material from {@code certs.d} directories, as containers/image uses them (see
 * containers-certs.d(5)): for a registry {@code host[:port]}, the first existing directory
 * {@code <root>/host[:port]} among the roots ({@code $HOME/.config/containers/certs.d},
 * {@code /etc/containers/certs.d}, {@code /etc/docker/certs.d} by default) is used, and only
 * that one. In it, every {@code *.crt} file holds CA certificates trusted in addition to the
 * system's, and every {@code *.cert} with the {@code *.key} of the same name is a client
 * certificate chain and its private key (PEM; PKCS#8, PKCS#1 RSA or SEC1 EC keys, unencrypted).
 *
 * <p>Immutable and thread-safe. {@link #sslContext} reads the directory on every call; callers
 * build one context per registry and keep it.
 */
public final class CertsDirectories {
    private final List<Path> roots;

    private CertsDirectories(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /** The default roots of the real environment. */
    public static CertsDirectories forEnvironment() {
        return forEnvironment(ContainersEnvironment.system());
    }

    /** {@code $HOME/.config/containers/certs.d}, {@code /etc/containers/certs.d}, {@code /etc/docker/certs.d}. */
    public static CertsDirectories forEnvironment(ContainersEnvironment env) {
        return new CertsDirectories(List.of(env.home().resolve(".config/containers/certs.d"),
                Path.of("/etc/containers/certs.d"), Path.of("/etc/docker/certs.d")));
    }

    /** These roots, searched in order. */
    public static CertsDirectories at(Path... roots) {
        return new CertsDirectories(List.of(roots));
    }

    /** The roots, in search order. */
    public List<Path> roots() {
        return roots;
    }

    /** The directory used for {@code hostPort}: the first root that has one for it. */
    public Optional<Path> directoryFor(String hostPort) {
        Objects.requireNonNull(hostPort, "hostPort");
        if (hostPort.isEmpty() || hostPort.indexOf('/') >= 0 || hostPort.indexOf('\\') >= 0 || hostPort.indexOf('\0') >= 0
                || hostPort.equals(".") || hostPort.equals("..")) {
            throw new IllegalArgumentException("\"" + Text.printable(hostPort) + "\" is not a registry host[:port]");
        }
        for (Path root : roots) {
            Path dir = root.resolve(hostPort);
            if (Files.isDirectory(dir)) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /**
     * A TLS context for {@code hostPort} that trusts the system's CAs plus the directory's
     * {@code *.crt}, and presents its client certificates; with no directory, the system's trust
     * and no client certificate. Hostname verification stays on (it is the connection's job).
     *
     * @throws ContainersConfigException if a file cannot be parsed, or a client certificate lacks
     *     its key (or the other way round)
     */
    public SSLContext sslContext(String hostPort) throws IOException {
        Optional<Path> dir = directoryFor(hostPort);
        try {
            KeyStore trust = trustStore(dir);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManager[] kms = null;
            KeyStore keys = keyStore(dir);
            if (keys.size() > 0) {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
                kms = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kms, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ContainersConfigException(dir.orElse(null), null, "cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** The system's trust anchors plus the directory's {@code *.crt} certificates. */
    KeyStore trustStore(Optional<Path> dir) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        system.init((KeyStore) null);
        int n = 0;
        for (var tm : system.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    ks.setCertificateEntry("system-" + n++, c);
                }
            }
        }
        for (Path f : files(dir, ".crt")) {
            int i = 0;
            for (X509Certificate c : certificates(f)) {
                ks.setCertificateEntry("certs.d-" + f.getFileName() + "-" + i++, c);
            }
        }
        return ks;
    }

    private KeyStore keyStore(Optional<Path> dir) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (Path cert : files(dir, ".cert")) {
            String name = cert.getFileName().toString();
            Path key = cert.resolveSibling(name.substring(0, name.length() - ".cert".length()) + ".key");
            if (!Files.isRegularFile(key)) {
                throw new ContainersConfigException(cert, null, "client certificate has no key " + key.getFileName()
                        + " next to it; CA certificates must use the extension .crt");
            }
            List<X509Certificate> chain = certificates(cert);
            ks.setKeyEntry(name, privateKey(key), new char[0], chain.toArray(new Certificate[0]));
        }
        for (Path key : files(dir, ".key")) {
            String name = key.getFileName().toString();
            Path cert = key.resolveSibling(name.substring(0, name.length() - ".key".length()) + ".cert");
            if (!Files.isRegularFile(cert)) {
                throw new ContainersConfigException(key, null, "key has no client certificate " + cert.getFileName() + " next to it");
            }
        }
        return ks;
    }

    private static List<Path> files(Optional<Path> dir, String suffix) throws IOException {
        if (dir.isEmpty()) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir.get())) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static List<X509Certificate> certificates(Path file) throws IOException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            throw new ContainersConfigException(file, null, "is not a PEM or DER X.509 certificate file: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new ContainersConfigException(file, null, "holds no certificate");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    // ---- private keys -------------------------------------------------------------------------

    private static PrivateKey privateKey(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN ");
        int typeEnd = begin < 0 ? -1 : pem.indexOf("-----", begin + 11);
        if (begin < 0 || typeEnd < 0) {
            throw new ContainersConfigException(file, null, "is not a PEM private key");
        }
        String type = pem.substring(begin + 11, typeEnd);
        int end = pem.indexOf("-----END " + type + "-----", typeEnd);
        if (end < 0) {
            throw new ContainersConfigException(file, null, "PEM block " + type + " has no END line");
        }
        String body = pem.substring(typeEnd + 5, end);
        if (body.contains("Proc-Type:") || type.equals("ENCRYPTED PRIVATE KEY")) {
            throw new ContainersConfigException(file, null, "is an encrypted private key; certs.d keys must be unencrypted");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new ContainersConfigException(file, null, "PEM block " + type + " is not valid base64");
        }
        byte[] pkcs8;
        List<String> algorithms;
        switch (type) {
            case "PRIVATE KEY" -> {
                pkcs8 = der;
                algorithms = List.of("RSA", "EC", "Ed25519", "Ed448");
            }
            case "RSA PRIVATE KEY" -> {
                pkcs8 = Der.pkcs8(Der.RSA_ALGORITHM, der);
                algorithms = List.of("RSA");
            }
            case "EC PRIVATE KEY" -> {
                try {
                    pkcs8 = Der.pkcs8(Der.ecAlgorithm(der), der);
                } catch (IllegalArgumentException e) {
                    throw new ContainersConfigException(file, null, "EC private key is malformed: " + e.getMessage());
                }
                algorithms = List.of("EC");
            }
            default -> throw new ContainersConfigException(file, null, "PEM block " + type
                    + " is not a supported private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        for (String alg : algorithms) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ContainersConfigException(file, null, "private key could not be read as " + String.join(", ", algorithms));
    }

    /** Just enough DER to wrap PKCS#1 and SEC1 keys into PKCS#8. */
    static final class Der {
        /** AlgorithmIdentifier rsaEncryption with NULL parameters. */
        static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

        private Der() {}

        /** PrivateKeyInfo: version 0, the algorithm, the key as an OCTET STRING. */
        static byte[] pkcs8(byte[] algorithm, byte[] key) {
            byte[] version = {0x02, 0x01, 0x00};
            return tlv(0x30, concat(version, algorithm, tlv(0x04, key)));
        }

        /** id-ecPublicKey with the named curve found in the SEC1 key's [0] parameters. */
        static byte[] ecAlgorithm(byte[] sec1) {
            int[] pos = {0};
            int seqLen = header(sec1, pos, 0x30);
            int seqEnd = pos[0] + seqLen;
            skip(sec1, pos, 0x02);
            skip(sec1, pos, 0x04);
            if (pos[0] >= seqEnd || (sec1[pos[0]] & 0xff) != 0xa0) {
                throw new IllegalArgumentException("it does not name its curve");
            }
            int len = header(sec1, pos, 0xa0);
            byte[] oid = java.util.Arrays.copyOfRange(sec1, pos[0], pos[0] + len);
            return tlv(0x30, concat(EC_PUBLIC_KEY_OID, oid));
        }

        private static void skip(byte[] b, int[] pos, int tag) {
            // header() moves pos past the tag and length first, so read it only afterwards.
            int len = header(b, pos, tag);
            pos[0] += len;
        }

        private static int header(byte[] b, int[] pos, int tag) {
            if (pos[0] + 2 > b.length || (b[pos[0]] & 0xff) != tag) {
                throw new IllegalArgumentException("unexpected DER structure");
            }
            pos[0]++;
            int len = b[pos[0]++] & 0xff;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 3 || pos[0] + n > b.length) {
                    throw new IllegalArgumentException("unexpected DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[pos[0]++] & 0xff);
                }
            }
            if (pos[0] + len > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            return len;
        }

        private static byte[] tlv(int tag, byte[] content) {
            int len = content.length;
            byte[] lenBytes;
            if (len < 0x80) {
                lenBytes = new byte[] {(byte) len};
            } else if (len < 0x100) {
                lenBytes = new byte[] {(byte) 0x81, (byte) len};
            } else if (len < 0x10000) {
                lenBytes = new byte[] {(byte) 0x82, (byte) (len >> 8), (byte) len};
            } else {
                lenBytes = new byte[] {(byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
            }
            return concat(new byte[] {(byte) tag}, lenBytes, content);
        }

        private static byte[] concat(byte[]... parts) {
            int n = 0;
            for (byte[] p : parts) {
                n += p.length;
            }
            byte[] out = new byte[n];
            int o = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, out, o, p.length);
                o += p.length;
            }
            return out;
        }
    }

    @Override
    public String toString() {
        return "CertsDirectories" + roots;
    }

}
