package dev.ocikit.image.containerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every instruction, in each of its forms, parsed from text. */
class InstructionParseTest {

    static Containerfile parse(String text) {
        return Containerfile.parse(text, "Containerfile");
    }

    /** The single instruction after a FROM line. */
    static <T extends Instruction> T only(String instruction, Class<T> type) {
        List<Instruction> body = parse("FROM scratch\n" + instruction + "\n").stages().get(0).instructions();
        assertThat(body).hasSize(1);
        return type.cast(body.get(0));
    }

    @Test
    void from() {
        Stage s = parse("FROM --platform=linux/arm64 docker.io/library/alpine:3.20 AS Build\n").stages().get(0);
        assertThat(s.baseImage()).isEqualTo("docker.io/library/alpine:3.20");
        assertThat(s.name()).contains("build"); // stage names are case-insensitive, kept lower-case
        assertThat(s.platform()).contains("linux/arm64");
        assertThat(s.index()).isZero();
        assertThat(s.from().line()).isEqualTo(1);
        assertThat(s.from().source()).isEqualTo("FROM --platform=linux/arm64 docker.io/library/alpine:3.20 AS Build");

        Stage plain = parse("from alpine\n").stages().get(0);
        assertThat(plain.name()).isEmpty();
        assertThat(plain.platform()).isEmpty();
        assertThat(plain.from().keyword()).isEqualTo("FROM");
    }

    @Test
    void runShellForm() {
        Instruction.Run run = only("RUN apt-get update && apt-get install -y curl", Instruction.Run.class);
        assertThat(run.command()).isEqualTo(CommandLine.shell("apt-get update && apt-get install -y curl"));
        assertThat(run.command().argv(List.of("/bin/sh", "-c")))
                .containsExactly("/bin/sh", "-c", "apt-get update && apt-get install -y curl");
        assertThat(run.script()).contains("apt-get update && apt-get install -y curl");
        assertThat(run.mounts()).isEmpty();
        assertThat(run.network()).isEmpty();
        assertThat(run.keyword()).isEqualTo("RUN");
        assertThat(run.line()).isEqualTo(2);
    }

    @Test
    void runExecForm() {
        Instruction.Run run = only("RUN [\"/bin/echo\", \"a b\", \"$HOME\"]", Instruction.Run.class);
        assertThat(run.command().execForm()).isTrue();
        assertThat(run.command().arguments()).containsExactly("/bin/echo", "a b", "$HOME");
        assertThat(run.command().argv(List.of("/bin/sh", "-c"))).containsExactly("/bin/echo", "a b", "$HOME");
        assertThat(run.script()).isEmpty();
    }

    @Test
    void invalidJsonIsTheShellForm() {
        // single quotes are not JSON: Docker runs this through the shell, and so do we
        Instruction.Run run = only("RUN ['echo', 'hi']", Instruction.Run.class);
        assertThat(run.command()).isEqualTo(CommandLine.shell("['echo', 'hi']"));
        Instruction.Cmd cmd = only("CMD [\"unterminated\"", Instruction.Cmd.class);
        assertThat(cmd.command().execForm()).isFalse();
    }

    @Test
    void runFlags() {
        Instruction.Run run = only("RUN --mount=type=cache,target=/root/.m2,id=m2,sharing=locked"
                + " --mount=type=secret,id=token --mount=type=bind,from=build,source=/out,target=/in"
                + " --network=none --security=insecure mvn -B package", Instruction.Run.class);
        assertThat(run.mounts()).hasSize(3);
        RunMount cache = run.mounts().get(0);
        assertThat(cache.type()).isEqualTo("cache");
        assertThat(cache.target()).contains("/root/.m2");
        assertThat(cache.id()).contains("m2");
        assertThat(cache.option("sharing")).contains("locked");
        assertThat(cache.readOnly()).isFalse();
        RunMount secret = run.mounts().get(1);
        assertThat(secret.type()).isEqualTo("secret");
        assertThat(secret.target()).isEmpty();
        RunMount bind = run.mounts().get(2);
        assertThat(bind.from()).contains("build");
        assertThat(bind.source()).contains("/out");
        assertThat(bind.readOnly()).isTrue(); // bind mounts are read-only unless rw is given
        assertThat(run.network()).contains("none");
        assertThat(run.security()).contains("insecure");
        assertThat(run.command().shellCommand()).contains("mvn -B package");
    }

    @Test
    void runMountFieldAliases() {
        RunMount m = RunMount.parse("type=bind,src=a,dst=/b,rw");
        assertThat(m.source()).contains("a");
        assertThat(m.target()).contains("/b");
        assertThat(m.readOnly()).isFalse();
        RunMount d = RunMount.parse("target=/x,ro=false");
        assertThat(d.type()).isEqualTo("bind");
        assertThat(d.readOnly()).isFalse();
        assertThat(RunMount.parse("type=tmpfs,destination=/tmp,size=64m").option("size")).contains("64m");
        assertThat(RunMount.parse("type=secret,id=x,required").option("required")).contains("true");
    }

    @Test
    void runMountErrorsWithoutALocationNameOnlyTheInstruction() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunMount.parse("type=nfs,target=/x"))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage("RUN: --mount type 'nfs' is not one of bind, cache, tmpfs, secret, ssh")
                .satisfies(e -> assertThat(((ContainerfileException) e).file()).isEmpty())
                .satisfies(e -> assertThat(((ContainerfileException) e).line()).isEmpty());
        assertThat(RunMount.parse("type=cache,target=/c,\"id=a,b\"").id()).contains("a,b");
    }

    @Test
    void copyShellFormWithFlags() {
        Instruction.Copy copy = only("COPY --from=build --chown=app:app --chmod=0644 --link --exclude=*.md"
                + " --exclude=docs a.txt b/ /app/", Instruction.Copy.class);
        assertThat(copy.sources()).containsExactly("a.txt", "b/");
        assertThat(copy.destination()).isEqualTo("/app/");
        assertThat(copy.from()).contains("build");
        assertThat(copy.chown()).contains("app:app");
        assertThat(copy.chmod()).contains("0644");
        assertThat(copy.link()).isTrue();
        assertThat(copy.parents()).isFalse();
        assertThat(copy.excludes()).containsExactly("*.md", "docs");
        assertThat(copy.heredocs()).isEmpty();
    }

    @Test
    void copyJsonForm() {
        Instruction.Copy copy = only("COPY [\"my file.txt\", \"other\", \"/dst dir/\"]", Instruction.Copy.class);
        assertThat(copy.sources()).containsExactly("my file.txt", "other");
        assertThat(copy.destination()).isEqualTo("/dst dir/");
        assertThat(copy.from()).isEmpty();
        assertThat(copy.link()).isFalse();
    }

    @Test
    void copyFlagsAcceptExplicitBooleansAndQuotes() {
        Instruction.Copy copy = only("COPY --link=false --parents=TRUE --chown=\"a b\" x /y", Instruction.Copy.class);
        assertThat(copy.link()).isFalse();
        assertThat(copy.parents()).isTrue();
        assertThat(copy.chown()).contains("a b");
    }

    @Test
    void doubleDashEndsFlags() {
        Instruction.Copy copy = only("COPY -- --weird-name /dst", Instruction.Copy.class);
        assertThat(copy.sources()).containsExactly("--weird-name");
    }

    @Test
    void add() {
        Instruction.Add add = only("ADD --chown=1000:1000 --chmod=755 --checksum=sha256:abc --unpack=false"
                + " https://example.com/tool.tar.gz local.tar /opt/", Instruction.Add.class);
        assertThat(add.sources()).containsExactly("https://example.com/tool.tar.gz", "local.tar");
        assertThat(add.remoteSources()).containsExactly("https://example.com/tool.tar.gz");
        assertThat(add.destination()).isEqualTo("/opt/");
        assertThat(add.chown()).contains("1000:1000");
        assertThat(add.chmod()).contains("755");
        assertThat(add.checksum()).contains("sha256:abc");
        assertThat(add.unpack()).contains(false);
        assertThat(add.keepGitDir()).isFalse();
        assertThat(Instruction.Add.isRemote("git@github.com:me/repo.git")).isTrue();
        assertThat(Instruction.Add.isRemote("HTTP://x/y")).isTrue();
        assertThat(Instruction.Add.isRemote("http.txt")).isFalse();
        assertThat(only("ADD [\"a\", \"/b\"]", Instruction.Add.class).unpack()).isEmpty();
    }

    @Test
    void envForms() {
        Instruction.Env many = only("ENV A=1 B=\"two words\" C=three\\ words", Instruction.Env.class);
        assertThat(many.pairs()).containsExactly(new KeyValue("A", "1"), new KeyValue("B", "\"two words\""),
                new KeyValue("C", "three\\ words"));
        Instruction.Env legacy = only("ENV GREETING hello   big world", Instruction.Env.class);
        assertThat(legacy.pairs()).containsExactly(new KeyValue("GREETING", "hello   big world"));
        // the legacy form decides on the first word: this sets ONE to "TWO= THREE=world"
        Instruction.Env tricky = only("ENV ONE TWO= THREE=world", Instruction.Env.class);
        assertThat(tricky.pairs()).containsExactly(new KeyValue("ONE", "TWO= THREE=world"));
        Instruction.Env empty = only("ENV A= B=\"\"", Instruction.Env.class);
        assertThat(empty.pairs()).containsExactly(new KeyValue("A", ""), new KeyValue("B", "\"\""));
    }

    @Test
    void argForms() {
        Instruction.Arg arg = only("ARG VERSION=1.0 DEBUG TAG=\"x y\" EMPTY=", Instruction.Arg.class);
        assertThat(arg.definitions()).containsExactly(
                new ArgDefinition("VERSION", Optional.of("1.0")),
                new ArgDefinition("DEBUG", Optional.empty()),
                new ArgDefinition("TAG", Optional.of("\"x y\"")),
                new ArgDefinition("EMPTY", Optional.of("")));
    }

    @Test
    void workdirUserStopsignalMaintainer() {
        assertThat(only("WORKDIR /app/my dir", Instruction.Workdir.class).path()).isEqualTo("/app/my dir");
        assertThat(only("USER app:staff", Instruction.User.class).user()).isEqualTo("app:staff");
        assertThat(only("STOPSIGNAL SIGRTMIN+3", Instruction.StopSignal.class).signal()).isEqualTo("SIGRTMIN+3");
        assertThat(only("STOPSIGNAL 9", Instruction.StopSignal.class).signal()).isEqualTo("9");
        assertThat(only("MAINTAINER Jane Doe <jane@example.com>", Instruction.Maintainer.class).name())
                .isEqualTo("Jane Doe <jane@example.com>");
    }

    @Test
    void cmdAndEntrypointForms() {
        assertThat(only("CMD [\"nginx\", \"-g\", \"daemon off;\"]", Instruction.Cmd.class).command())
                .isEqualTo(CommandLine.exec(List.of("nginx", "-g", "daemon off;")));
        assertThat(only("CMD []", Instruction.Cmd.class).command()).isEqualTo(CommandLine.exec(List.of()));
        assertThat(only("CMD echo $HOME", Instruction.Cmd.class).command()).isEqualTo(CommandLine.shell("echo $HOME"));
        assertThat(only("ENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]", Instruction.Entrypoint.class).command()
                .arguments()).containsExactly("java", "-jar", "/app.jar");
        assertThat(only("ENTRYPOINT exec java -jar /app.jar", Instruction.Entrypoint.class).command().shellCommand())
                .contains("exec java -jar /app.jar");
    }

    @Test
    void label() {
        Instruction.Label label = only("LABEL org.opencontainers.image.title=\"My App\" version=1 \"quoted key\"=v",
                Instruction.Label.class);
        assertThat(label.pairs()).containsExactly(new KeyValue("org.opencontainers.image.title", "\"My App\""),
                new KeyValue("version", "1"), new KeyValue("\"quoted key\"", "v"));
        assertThat(only("LABEL description This is my app", Instruction.Label.class).pairs())
                .containsExactly(new KeyValue("description", "This is my app"));
    }

    @Test
    void expose() {
        assertThat(only("EXPOSE 80 443/tcp 53/udp 8000-8010/tcp 132/SCTP", Instruction.Expose.class).ports())
                .containsExactly("80", "443/tcp", "53/udp", "8000-8010/tcp", "132/SCTP");
    }

    @Test
    void volumeForms() {
        assertThat(only("VOLUME [\"/data\", \"/var/log\"]", Instruction.Volume.class).paths())
                .containsExactly("/data", "/var/log");
        assertThat(only("VOLUME /data /cache", Instruction.Volume.class).paths()).containsExactly("/data", "/cache");
    }

    @Test
    void healthcheckCmdWithAllFlags() {
        Instruction.Healthcheck h = only("HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s"
                + " --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1",
                Instruction.Healthcheck.class);
        assertThat(h.disabled()).isFalse();
        assertThat(h.interval()).contains(Duration.ofSeconds(30));
        assertThat(h.timeout()).contains(Duration.ofSeconds(90));
        assertThat(h.startPeriod()).contains(Duration.ofMillis(1500));
        assertThat(h.startInterval()).contains(Duration.ofMillis(500));
        assertThat(h.retries()).contains(3);
        assertThat(h.command()).contains(CommandLine.shell("curl -f http://localhost/ || exit 1"));
        assertThat(h.test()).containsExactly("CMD-SHELL", "curl -f http://localhost/ || exit 1");
    }

    @Test
    void healthcheckExecFormAndNone() {
        Instruction.Healthcheck exec = only("HEALTHCHECK cmd [\"/bin/check\", \"--quick\"]", Instruction.Healthcheck.class);
        assertThat(exec.test()).containsExactly("CMD", "/bin/check", "--quick");
        assertThat(exec.interval()).isEmpty();
        assertThat(exec.retries()).isEmpty();
        Instruction.Healthcheck none = only("HEALTHCHECK NONE", Instruction.Healthcheck.class);
        assertThat(none.disabled()).isTrue();
        assertThat(none.test()).containsExactly("NONE");
        Instruction.Healthcheck zero = only("HEALTHCHECK --interval=0 --retries=0 CMD true", Instruction.Healthcheck.class);
        assertThat(zero.interval()).contains(Duration.ZERO);
        assertThat(zero.retries()).contains(0);
    }

    @Test
    void shell() {
        assertThat(only("SHELL [\"powershell\", \"-Command\"]", Instruction.Shell.class).shell())
                .containsExactly("powershell", "-Command");
    }

    @Test
    void onbuildKeepsTheTriggerRawAndParsed() {
        Instruction.Onbuild on = only("ONBUILD COPY --chown=app . /src/$DIR", Instruction.Onbuild.class);
        assertThat(on.trigger()).isEqualTo("COPY --chown=app . /src/$DIR");
        assertThat(on.instruction()).isInstanceOf(Instruction.Copy.class);
        Instruction.Copy copy = (Instruction.Copy) on.instruction();
        assertThat(copy.destination()).isEqualTo("/src/$DIR");
        assertThat(copy.line()).isEqualTo(2);
        // the executor stores triggers unexpanded
        Containerfile f = parse("FROM scratch\nONBUILD RUN echo $X\n");
        Instruction raw = f.stages().get(0).instructions().get(0);
        assertThat(f.expand(raw, n -> Optional.of("expanded"))).isSameAs(raw);
    }

    @Test
    void keywordsAreCaseInsensitive() {
        Containerfile f = parse("fRoM alpine aS base\nrUn echo hi\ncopy a b\n");
        assertThat(f.stages().get(0).name()).contains("base");
        assertThat(f.stages().get(0).instructions()).extracting(Instruction::keyword).containsExactly("RUN", "COPY");
    }
}
