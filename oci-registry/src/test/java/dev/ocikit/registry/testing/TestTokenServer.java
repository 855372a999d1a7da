package dev.ocikit.registry.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OAuth2-ish token server for the registry's {@code auth: token} mode, on a free loopback
 * port: {@code GET /token?service=..&scope=..} (Basic auth optional) and
 * {@code POST /token} with {@code grant_type=refresh_token} (the identity-token flow). It issues
 * ES256 JWTs with an {@code x5c} header holding a self-signed certificate that is the registry's
 * {@code rootcertbundle}.
 *
 * <p>Authenticated users get every action they ask for; anonymous callers get {@code pull} only.
 * Wrong credentials get 401. Thread-safe; {@link #close()} stops it.
 */
public final class TestTokenServer implements AutoCloseable {
    public static final String SERVICE = "ocikit-test-registry";
    public static final String ISSUER = "ocikit-test-issuer";

    private final HttpServer server;
    private final TestCertificates.KeyAndCertificate signing;
    private final String username;
    private final String password;
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile long expiresInSeconds = 300;

    private TestTokenServer(String username, String password) throws IOException {
        this.username = username;
        this.password = password;
        this.signing = TestCertificates.selfSigned("ocikit test token signer");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    /** Starts a token server accepting {@code username}/{@code password}. */
    public static TestTokenServer start(String username, String password) throws IOException {
        return new TestTokenServer(username, password);
    }

    /** {@code http://127.0.0.1:PORT/token}. */
    public URI realm() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** The certificate whose key signs the tokens (the registry's root bundle). */
    public TestCertificates.KeyAndCertificate signing() {
        return signing;
    }

    /** Registers an identity (refresh) token that stands for {@code user}. */
    public void addRefreshToken(String token, String user) {
        refreshTokens.put(token, user);
    }

    /** Lifetime of the tokens issued from now on ({@code expires_in}). */
    public void expiresInSeconds(long seconds) {
        this.expiresInSeconds = seconds;
    }

    /** How many tokens were issued. */
    public int issuedCount() {
        return issued.get();
    }

    /** The requests seen, as {@code METHOD query-or-form}, in order (no secrets: forms are not recorded). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, List<String>> params = new ConcurrentHashMap<>();
            String query = ex.getRequestURI().getRawQuery();
            parseForm(query, params);
            Optional<String> user = Optional.empty();
            boolean denied = false;
            if (ex.getRequestMethod().equals("POST")) {
                String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                parseForm(form, params);
                requests.add("POST grant_type=" + first(params, "grant_type") + " scope=" + params.getOrDefault("scope", List.of()));
                if ("refresh_token".equals(first(params, "grant_type"))) {
                    String u = refreshTokens.get(first(params, "refresh_token"));
                    if (u == null) {
                        denied = true;
                    } else {
                        user = Optional.of(u);
                    }
                } else if ("password".equals(first(params, "grant_type"))) {
                    if (username.equals(first(params, "username")) && password.equals(first(params, "password"))) {
                        user = Optional.of(username);
                    } else {
                        denied = true;
                    }
                } else {
                    denied = true;
                }
            } else {
                requests.add("GET " + (query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8)));
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (auth != null) {
                    String expected = "Basic " + Base64.getEncoder().encodeToString(
                            (username + ":" + password).getBytes(StandardCharsets.UTF_8));
                    if (auth.equals(expected)) {
                        user = Optional.of(username);
                    } else {
                        denied = true;
                    }
                }
            }
            if (denied) {
                byte[] body = "{\"details\":\"incorrect username or password\"}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(401, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            String token = jwt(user, params.getOrDefault("scope", List.of()), first(params, "service"));
            issued.incrementAndGet();
            ObjectNode resp = JsonNodeFactory.instance.objectNode();
            resp.put("token", token);
            resp.put("access_token", token);
            resp.put("expires_in", expiresInSeconds);
            resp.put("issued_at", Instant.now().toString());
            byte[] body = resp.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (RuntimeException e) {
            ex.sendResponseHeaders(500, -1);
        }
    }

    private String jwt(Optional<String> user, List<String> scopes, String service) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode header = f.objectNode();
        header.put("typ", "JWT");
        header.put("alg", "ES256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(TestCertificates.encoded(signing.certificate())));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = f.objectNode();
        claims.put("iss", ISSUER);
        claims.put("sub", user.orElse(""));
        claims.put("aud", service == null ? SERVICE : service);
        claims.put("exp", now + expiresInSeconds);
        claims.put("nbf", now - 60);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            for (String one : scope.split(" ")) {
                // type:name:actions, where the name may itself hold a colon (host:port/...)
                int first = one.indexOf(':');
                int last = one.lastIndexOf(':');
                if (first < 0 || last == first) {
                    continue;
                }
                List<String> actions = new ArrayList<>();
                for (String a : one.substring(last + 1).split(",")) {
                    if (user.isPresent() || a.equals("pull")) {
                        actions.add(a);
                    }
                }
                ObjectNode entry = access.addObject();
                entry.put("type", one.substring(0, first));
                entry.put("name", one.substring(first + 1, last));
                ArrayNode acts = entry.putArray("actions");
                actions.forEach(acts::add);
            }
        }
        String signingInput = b64(header.toString()) + "." + b64(claims.toString());
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(signing.privateKey());
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static void parseForm(String form, Map<String, List<String>> into) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>()).add(v);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
