package dev.ocikit.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Tells, without a TLS library, whether a server answers a TLS hello in plain HTTP: a quick first
 * look for an insecure registry, which is tried over https first and over http when that fails.
 * Java's TLS stack costs a fifth of a second to load and fail against a plain-http registry (on
 * every CLI run against a local one); one hand-made ClientHello on a socket costs a round trip.
 *
 * <p>It only ever says "plain http" when the first bytes back are {@code HTTP/}; a TLS answer
 * (a handshake or an alert record), silence, or any error is "do not know", and the caller asks
 * with TLS as before. The hello's random field holds a CRLF pair, so that an HTTP server reads a
 * complete (malformed) request line and answers 400 at once rather than waiting for more.
 */
final class PlainHttpProbe {
    private static final byte[] CLIENT_HELLO = clientHello();
    private static final int MAX_ANSWER_WAIT_MILLIS = 1_000;

    private PlainHttpProbe() {}

    /** Whether {@code host:port} answered a TLS hello with HTTP; false if unsure. */
    static boolean answersPlainHttp(String authority, Duration timeout) {
        URI parsed;
        try {
            parsed = URI.create("//" + authority);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (parsed.getHost() == null || parsed.getPort() < 0) {
            return false; // without a port, https and http are different ports: nothing to learn here
        }
        String host = parsed.getHost().startsWith("[") ? parsed.getHost().substring(1, parsed.getHost().length() - 1)
                : parsed.getHost();
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, parsed.getPort()), millis);
            // Both kinds of server answer at once; one that says nothing is left to the TLS way soon.
            socket.setSoTimeout(Math.min(millis, MAX_ANSWER_WAIT_MILLIS));
            socket.getOutputStream().write(CLIENT_HELLO);
            socket.getOutputStream().flush();
            byte[] first = readUpTo(socket.getInputStream(), 5);
            return Arrays.equals(first, "HTTP/".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        byte[] buf = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(buf, got, n - got);
            if (r < 0) {
                break;
            }
            got += r;
        }
        return Arrays.copyOf(buf, got);
    }

    /** A TLS 1.2 ClientHello record: two cipher suites, no extensions, a random with CRLF CRLF in it. */
    private static byte[] clientHello() {
        byte[] random = new byte[32];
        byte[] crlf = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(crlf, 0, random, 0, crlf.length);
        byte[] body = concat(new byte[] {0x03, 0x03}, random, new byte[] {0x00}, // version, random, no session id
                new byte[] {0x00, 0x04, (byte) 0xc0, 0x2f, 0x13, 0x01}, // cipher suites
                new byte[] {0x01, 0x00}, // compression: null
                new byte[] {0x00, 0x00}); // no extensions
        byte[] handshake = concat(new byte[] {0x01, 0x00, (byte) (body.length >> 8), (byte) body.length}, body);
        return concat(new byte[] {0x16, 0x03, 0x01, (byte) (handshake.length >> 8), (byte) handshake.length}, handshake);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
