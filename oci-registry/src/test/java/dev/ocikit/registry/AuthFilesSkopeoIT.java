package dev.ocikit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our login/logout against what {@code skopeo login}/{@code logout} write for the same input,
 * with a real distribution registry behind htpasswd Basic auth on loopback.
 */
class AuthFilesSkopeoIT {
    @TempDir
    Path tmp;

    @Test
    void loginAndLogoutWriteWhatSkopeoWrites() throws Exception {
        Path registry = Tools.require("docker-registry");
        Path skopeo = Tools.require("skopeo");
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Files.writeString(tmp.resolve("htpasswd"), "alice:" + OpenBSDBCrypt.generate("2y", "wonder:land".toCharArray(), salt, 5) + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(tmp.resolve("config.yml"), """
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                auth:
                  htpasswd:
                    realm: ocikit-test
                    path: %s
                """.formatted(tmp.resolve("storage"), port, tmp.resolve("htpasswd")));
        Process server = new ProcessBuilder(registry.toString(), "serve", tmp.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("registry.log").toFile()).start();
        try {
            awaitChallenge(port, server);
            String host = "127.0.0.1:" + port;
            Path theirs = tmp.resolve("skopeo/auth.json");
            Path ours = tmp.resolve("ours/auth.json");

            run(skopeo, "login", "--authfile", theirs.toString(), "--tls-verify=false", "-u", "alice", "-p", "wonder:land", host);
            AuthFiles.at(ours).login(host, Credentials.of("alice", "wonder:land"));
            assertThat(Files.readString(ours)).isEqualTo(Files.readString(theirs));
            assertThat(Files.getPosixFilePermissions(ours)).isEqualTo(Files.getPosixFilePermissions(theirs))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            // each reads the other's file
            assertThat(AuthFiles.at(theirs).credentials(host, "any/repo")).contains(Credentials.of("alice", "wonder:land"));

            // a second entry, with a namespace (skopeo does not check namespaced credentials with the server)
            run(skopeo, "login", "--authfile", theirs.toString(), "--tls-verify=false", "-u", "alice", "-p", "wonder:land",
                    host + "/team");
            AuthFiles.at(ours).login(host + "/team", Credentials.of("alice", "wonder:land"));
            assertThat(Files.readString(ours)).isEqualTo(Files.readString(theirs));

            run(skopeo, "logout", "--authfile", theirs.toString(), host);
            assertThat(AuthFiles.at(ours).logout(host)).isTrue();
            assertThat(Files.readString(ours)).isEqualTo(Files.readString(theirs));

            // skopeo logs out of what we wrote
            run(skopeo, "logout", "--authfile", ours.toString(), host + "/team");
            assertThat(AuthFiles.at(ours).credentials(host, "team/app")).isEmpty();
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static void awaitChallenge(int port, Process server) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        long backoff = 10;
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v2/").toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(1000);
                if (c.getResponseCode() == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!server.isAlive() || Instant.now().isAfter(deadline)) {
                throw new AssertionError("docker-registry did not come up on port " + port);
            }
            // bounded polling with a short backoff while the server starts
            server.waitFor(backoff, TimeUnit.MILLISECONDS);
            backoff = Math.min(backoff * 2, 200);
        }
    }

    private void run(Path exe, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", tmp.toString());
        pb.environment().remove("REGISTRY_AUTH_FILE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd.subList(0, 2)), out).isZero();
    }
}
