package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import dev.ocikit.registry.testing.TestRegistry;
import dev.ocikit.spec.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Buildah's commands through the CLI, in-process, with real runc: {@code build} prints its steps
 * and the image id and finds an unchanged rebuild in the cache; a working container goes through
 * {@code from}, {@code run-in}, {@code copy-in}, {@code config} and {@code commit}, and the image
 * runs with the changes; Podman's {@code commit} of a running and of a created container; and the
 * errors a user meets, with the exit code and the message that says where.
 */
class CliBuildIT {
    private static final String BUSYBOX = "localhost/busybox:cli";
    private static final String EPOCH = "1700000000";

    @TempDir
    static Path shared;

    static Path store;
    static Path busyboxContext;
    static String busyboxId;

    @TempDir
    Path tmp;

    @BeforeAll
    static void busyboxBuiltByTheCli() throws Exception {
        Tools.require("runc");
        busyboxContext = Files.createDirectories(shared.resolve("busybox"));
        Path busybox = Files.isExecutable(Path.of("/bin/busybox")) ? Path.of("/bin/busybox") : Tools.require("busybox");
        Files.copy(busybox, busyboxContext.resolve("busybox"));
        Files.writeString(busyboxContext.resolve("Containerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                CMD ["sh"]
                """);
        store = shared.resolve("store");
        Run build = cli("build", "-q", "--timestamp", EPOCH, "-t", BUSYBOX, busyboxContext.toString());
        assertThat(build.exit()).as(build.err()).isZero();
        busyboxId = build.out().trim();
        assertThat(busyboxId).matches("[0-9a-f]{64}");
    }

    @AfterEach
    void nothingLeft() throws IOException {
        Run working = cli("working-containers", "-q");
        List<String> left = working.out().lines().filter(l -> !l.isBlank()).toList();
        if (!left.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm-working"));
            rm.addAll(left);
            cli(rm.toArray(String[]::new));
        }
        Run ps = cli("ps", "-a", "-q");
        if (!ps.out().isBlank()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(ps.out().lines().toList());
            cli(rm.toArray(String[]::new));
        }
        assertThat(left).as("working containers left behind").isEmpty();
        assertThat(ps.out()).as("containers left behind").isBlank();
        assertThat(CliContainersIT.mountsUnder(store)).as("mounts left under the store").isEmpty();
    }

    /** The CLI in-process against the test store. */
    static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", store.toString()));
        all.addAll(List.of(args));
        return ocikit(all.toArray(String[]::new));
    }

    Path context(String containerfile) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("context"));
        Files.writeString(dir.resolve("Containerfile"), containerfile);
        return dir;
    }

    static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Test
    void buildPrintsItsStepsAndTheIdAndARebuildUsesTheCache() throws Exception {
        Path context = context("""
                FROM %s
                RUN echo built > /built && echo "step output $((6 * 7))"
                ENV GREETING=hello
                CMD ["sh", "-c", "cat /built; echo $GREETING"]
                """.formatted(BUSYBOX));
        Run first = cli("build", "-t", "localhost/cli/app:1", context.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        List<String> steps = first.out().lines().filter(l -> l.startsWith("STEP ")).toList();
        assertThat(steps).hasSize(3);
        assertThat(steps.get(0)).startsWith("STEP 1/3: RUN ").contains("echo built > /built");
        assertThat(steps.get(1)).isEqualTo("STEP 2/3: ENV GREETING=hello");
        assertThat(steps.get(2)).startsWith("STEP 3/3: CMD ");
        assertThat(first.out()).as("the RUN's own output").contains("step output 42\n")
                .contains("COMMIT localhost/cli/app:1").doesNotContain("Using cache");
        String id = lastLine(first.out());
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(first.out()).contains("--> " + id.substring(0, 12));

        Run again = cli("build", "-t", "localhost/cli/app:1", context.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("STEP 1/3: RUN ").contains("--> Using cache")
                .as("the RUN did not run again").doesNotContain("step output 42");
        assertThat(lastLine(again.out())).isEqualTo(id);

        Run noCache = cli("build", "--no-cache", "-t", "localhost/cli/app:2", context.toString());
        assertThat(noCache.exit()).as(noCache.err()).isZero();
        assertThat(noCache.out()).contains("step output 42").doesNotContain("Using cache");

        Run run = cli("run", "--rm", "localhost/cli/app:1");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("built\nhello\n");
    }

    @Test
    void aBuiltImageIsPushedPulledIntoAnotherStoreRunAndBuiltOn() throws Exception {
        Path context = context("""
                FROM %s
                RUN echo pushed > /pushed && rm /bin/ls
                CMD ["cat", "/pushed"]
                """.formatted(BUSYBOX));
        Run build = cli("build", "-q", "-t", "localhost/cli/pushed:1", context.toString());
        assertThat(build.exit()).as(build.err()).isZero();
        String id = build.out().trim();
        String other = tmp.resolve("other-store").toString();
        try (TestRegistry registry = TestRegistry.plain()) {
            String remote = registry.host() + "/cli/pushed:1";
            Run push = cli("push", "--tls-verify=false", "localhost/cli/pushed:1", remote);
            assertThat(push.exit()).as(push.err()).isZero();

            Run pull = ocikit("--root", other, "pull", "--tls-verify=false", remote);
            assertThat(pull.exit()).as(pull.err()).isZero();
            assertThat(lastLine(pull.out())).isEqualTo(id);
        }
        Run run = ocikit("--root", other, "run", "--rm", id.substring(0, 12));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("pushed\n");

        Path onTop = Files.createDirectories(tmp.resolve("on-top"));
        Files.writeString(onTop.resolve("Containerfile"), """
                FROM %s
                RUN test -e /bin/ls || echo ls is gone > /report
                CMD ["cat", "/pushed", "/report"]
                """.formatted(id));
        Run built = ocikit("--root", other, "build", "-q", "-t", "localhost/cli/on-top:1", onTop.toString());
        assertThat(built.exit()).as(built.err()).isZero();
        Run onTopRun = ocikit("--root", other, "run", "--rm", "localhost/cli/on-top:1");
        assertThat(onTopRun.out()).isEqualTo("pushed\nls is gone\n");
        assertThat(ocikit("--root", other, "ps", "-a", "-q").out()).isBlank();
    }

    @Test
    void aTimestampedBuildGivesTheSameIdInAnotherStore() throws Exception {
        Run other = ocikit("--root", tmp.resolve("other-store").toString(), "build", "-q",
                "--timestamp", EPOCH, "-t", BUSYBOX, busyboxContext.toString());
        assertThat(other.exit()).as(other.err()).isZero();
        assertThat(other.out().trim()).isEqualTo(busyboxId);
        Run later = ocikit("--root", tmp.resolve("third-store").toString(), "build", "-q",
                "--timestamp", String.valueOf(Long.parseLong(EPOCH) + 1), "-t", BUSYBOX, busyboxContext.toString());
        assertThat(later.exit()).as(later.err()).isZero();
        assertThat(later.out().trim()).as("another timestamp, another image").isNotEqualTo(busyboxId);
    }

    @Test
    void aWorkingContainerFromRunInCopyInConfigAndCommitRunsWithItsChanges() throws Exception {
        String name = CliContainersIT.unique("wc");
        Run from = cli("from", "--name", name, BUSYBOX);
        assertThat(from.exit()).as(from.err()).isZero();
        assertThat(from.out().trim()).isEqualTo(name);

        Run runIn = cli("run-in", name, "--", "sh", "-c", "echo made by run-in > /made && rm /bin/ls && echo ran");
        assertThat(runIn.exit()).as(runIn.err()).isZero();
        assertThat(runIn.out()).isEqualTo("ran\n");
        Run failing = cli("run-in", name, "--", "sh", "-c", "exit 6");
        assertThat(failing.exit()).as("run-in passes the command's exit code on").isEqualTo(6);

        Path note = Files.writeString(tmp.resolve("note.txt"), "copied in\n");
        Run copyIn = cli("copy-in", name, note.toString(), "/copied/");
        assertThat(copyIn.exit()).as(copyIn.err()).isZero();

        Run config = cli("config", "--entrypoint",
                "[\"/bin/sh\", \"-c\", \"cat /made /copied/note.txt; test -e /bin/ls || echo ls is gone; echo $MODE\"]",
                "--env", "MODE=committed", name);
        assertThat(config.exit()).as(config.err()).isZero();

        Run listed = cli("working-containers");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out().lines()).anyMatch(l -> l.endsWith(name) && l.contains(BUSYBOX)
                && l.contains(busyboxId.substring(0, 12)));

        Run commit = cli("commit", name, "localhost/cli/committed:1");
        assertThat(commit.exit()).as(commit.err()).isZero();
        String id = commit.out().trim();
        assertThat(id).matches("[0-9a-f]{64}").isNotEqualTo(busyboxId);

        Run run = cli("run", "--rm", "localhost/cli/committed:1");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("made by run-in\ncopied in\nls is gone\ncommitted\n");
        Run base = cli("run", "--rm", BUSYBOX, "sh", "-c", "test -e /bin/ls && echo base untouched; test -e /made || echo clean");
        assertThat(base.out()).isEqualTo("base untouched\nclean\n");

        Run rm = cli("rm-working", name);
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(rm.out().trim()).matches("[0-9a-f]{64}");
        assertThat(cli("working-containers").out()).doesNotContain(name);
        Run gone = cli("run-in", name, "--", "true");
        assertThat(gone.exit()).isNotZero();
    }

    @Test
    void commitOfARunningContainerAndOfACreatedOne() throws Exception {
        String name = CliContainersIT.unique("running");
        Run d = CliContainersIT.jar(List.of(), "--root", store.toString(), "run", "-d", "--name", name, BUSYBOX,
                "sh", "-c", "echo state of the running one > /state && rm /bin/ls && echo ready && exec sleep 1000");
        assertThat(d.exit()).as(d.err()).isZero();
        String id = d.out().trim();
        try {
            CliContainersIT.awaitLog(store, id, "ready", Duration.ofSeconds(60));
            Run commit = cli("commit", name, "localhost/cli/snapshot:1");
            assertThat(commit.exit()).as(commit.err()).isZero();
            assertThat(commit.out().trim()).matches("[0-9a-f]{64}");
            assertThat(cli("ps").out()).as("still running after the commit").contains(name);

            Run run = cli("run", "--rm", "localhost/cli/snapshot:1", "sh", "-c", "cat /state; test -e /bin/ls || echo ls is gone");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo("state of the running one\nls is gone\n");
        } finally {
            assertThat(cli("rm", "-f", name).exit()).isZero();
        }

        String created = CliContainersIT.unique("created");
        Run c = CliContainersIT.jar(List.of(), "--root", store.toString(), "create", "--name", created, BUSYBOX,
                "sh", "-c", "echo never runs");
        assertThat(c.exit()).as(c.err()).isZero();
        try {
            Run commit = cli("commit", created, "localhost/cli/created:1");
            assertThat(commit.exit()).as(commit.err()).isZero();
            Run run = cli("run", "--rm", "localhost/cli/created:1", "sh", "-c", "test -e /bin/ls && echo as its image");
            assertThat(run.out()).isEqualTo("as its image\n");
        } finally {
            assertThat(cli("rm", "-f", created).exit()).isZero();
        }
    }

    @Test
    void aContainerfileErrorSaysWhereAndExitsNonZero() throws Exception {
        Path unknown = context("""
                FROM %s
                RUN true
                RUNN echo typo
                """.formatted(BUSYBOX));
        Run typo = cli("build", "-t", "localhost/cli/broken:1", unknown.toString());
        assertThat(typo.exit()).isNotZero();
        assertThat(typo.err()).contains("Containerfile:3: RUNN:");

        Path missing = context("""
                FROM %s
                # a comment, so the line numbers are the file's
                COPY no-such-file /x
                """.formatted(BUSYBOX));
        Run copy = cli("build", "-t", "localhost/cli/broken:1", missing.toString());
        assertThat(copy.exit()).isNotZero();
        assertThat(copy.err()).contains("Containerfile:3: COPY:").contains("no-such-file");
        assertThat(cli("images").out()).doesNotContain("localhost/cli/broken");
    }

    @Test
    void aFailingRunExitsNonZeroWithItsStatus() throws Exception {
        Path context = context("""
                FROM %s
                RUN echo "about to fail with $((3 + 4))" && exit 7
                RUN echo never reached
                """.formatted(BUSYBOX));
        Run build = cli("build", "-t", "localhost/cli/failing:1", context.toString());
        assertThat(build.exit()).isNotZero();
        assertThat(build.err()).contains("exit status 7");
        assertThat(build.out()).as("the RUN's output as it ran").contains("about to fail with 7\n")
                .doesNotContain("STEP 2/2");
        assertThat(cli("images").out()).doesNotContain("localhost/cli/failing");
    }
}
