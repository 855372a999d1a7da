package dev.ocikit.image.containerfile;

import static dev.ocikit.image.containerfile.InstructionParseTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Stages, references between them, and a realistic file walked the way an executor would. */
class MultiStageTest {

    private static final String JAVA_APP = """
            # syntax=docker/dockerfile:1.7
            ARG JDK_VERSION=21
            ARG REGISTRY=docker.io/library

            FROM --platform=$BUILDPLATFORM ${REGISTRY}/maven:3.9-eclipse-temurin-${JDK_VERSION} AS build
            WORKDIR /src
            COPY pom.xml .
            RUN --mount=type=cache,target=/root/.m2 \\
                mvn -B -q dependency:go-offline
            COPY src ./src
            ARG SKIP_TESTS=false
            RUN --mount=type=cache,target=/root/.m2 \\
                # tests are slow on CI
                mvn -B -q package -DskipTests=${SKIP_TESTS}

            FROM build AS test
            RUN mvn -B -q verify

            FROM ${REGISTRY}/eclipse-temurin:${JDK_VERSION}-jre AS runtime
            ARG JDK_VERSION
            LABEL org.opencontainers.image.title="Shop service" \\
                  org.opencontainers.image.version="1.4.2" \\
                  java.version=${JDK_VERSION}
            ENV APP_HOME=/opt/app \\
                JAVA_OPTS="-XX:+UseZGC -Xmx512m"
            RUN groupadd -r app && useradd -r -g app -d ${APP_HOME} app
            WORKDIR $APP_HOME
            COPY --from=build --chown=app:app /src/target/shop-*.jar ./app.jar
            COPY --from=0 /src/target/classes/banner.txt ./
            EXPOSE 8080/tcp 9090
            VOLUME ["/opt/app/logs"]
            USER app
            HEALTHCHECK --interval=15s --timeout=3s --retries=5 \\
                CMD ["curl", "-fsS", "http://localhost:8080/health"]
            STOPSIGNAL SIGTERM
            ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar app.jar"]
            CMD ["--spring.profiles.active=prod"]
            """;

    @Test
    void stagesAndNames() {
        Containerfile f = parse(JAVA_APP);
        assertThat(f.stages()).extracting(s -> s.name().orElse("?")).containsExactly("build", "test", "runtime");
        assertThat(f.stages()).extracting(Stage::index).containsExactly(0, 1, 2);
        assertThat(f.globalArgs()).extracting(a -> a.definitions().get(0).name()).containsExactly("JDK_VERSION", "REGISTRY");
        assertThat(f.stages().get(0).instructions()).extracting(Instruction::keyword)
                .containsExactly("WORKDIR", "COPY", "RUN", "COPY", "ARG", "RUN");
        assertThat(f.stages().get(1).baseImage()).isEqualTo("build");
        assertThat(f.stage(f.stages().get(1).baseImage())).contains(f.stages().get(0));
        assertThat(f.stages().get(2).instructions()).hasSize(14);
        assertThat(f.stages().get(2).toString()).isEqualTo(
                "Stage 2 (runtime): FROM ${REGISTRY}/eclipse-temurin:${JDK_VERSION}-jre");
    }

    @Test
    void stageReferences() {
        Containerfile f = parse(JAVA_APP);
        assertThat(f.stage("build")).map(Stage::index).contains(0);
        assertThat(f.stage("BUILD")).map(Stage::index).contains(0);
        assertThat(f.stage("0")).map(Stage::index).contains(0);
        assertThat(f.stage("2")).map(Stage::index).contains(2);
        assertThat(f.stage("3")).isEmpty();
        assertThat(f.stage("99999999999999")).isEmpty();
        assertThat(f.stage("alpine:3.20")).isEmpty(); // an image, not a stage
        List<Instruction> runtime = f.stages().get(2).instructions();
        Instruction.Copy fromName = (Instruction.Copy) runtime.get(5);
        Instruction.Copy fromIndex = (Instruction.Copy) runtime.get(6);
        assertThat(fromName.from()).contains("build");
        assertThat(fromIndex.from()).contains("0");
        assertThat(f.stage(fromName.from().orElseThrow())).isEqualTo(f.stage(fromIndex.from().orElseThrow()));
    }

    @Test
    void walkedLikeAnExecutor() {
        Containerfile f = parse(JAVA_APP);
        Map<String, String> buildArgs = Map.of("REGISTRY", "quay.io/mirror", "BUILDPLATFORM", "linux/amd64");

        // global args: the build's value, else the default expanded with the globals so far
        Map<String, String> globals = new LinkedHashMap<>(Map.of("BUILDPLATFORM", "linux/amd64"));
        for (Instruction.Arg arg : f.globalArgs()) {
            Instruction.Arg e = f.expand(arg, Substitution.lookup(globals));
            for (ArgDefinition d : e.definitions()) {
                String v = buildArgs.getOrDefault(d.name(), d.defaultValue().orElse(null));
                if (v != null) {
                    globals.put(d.name(), v);
                }
            }
        }
        Stage build = f.stages().get(0);
        assertThat(build.baseImage(Substitution.lookup(globals))).isEqualTo("quay.io/mirror/maven:3.9-eclipse-temurin-21");
        assertThat(build.platform(Substitution.lookup(globals))).contains("linux/amd64");

        // the runtime stage: ARG re-declares a global, ENV wins over ARG
        Stage runtime = f.stages().get(2);
        assertThat(runtime.baseImage(Substitution.lookup(globals))).isEqualTo("quay.io/mirror/eclipse-temurin:21-jre");
        Map<String, String> args = new HashMap<>();
        Map<String, String> env = new HashMap<>();
        Function<String, Optional<String>> vars = n -> Optional.ofNullable(env.getOrDefault(n, args.get(n)));
        List<Instruction> done = new ArrayList<>();
        for (Instruction raw : runtime.instructions()) {
            Instruction i = f.expand(raw, vars);
            if (i instanceof Instruction.Arg a) {
                for (ArgDefinition d : a.definitions()) {
                    args.put(d.name(), d.defaultValue().orElse(globals.getOrDefault(d.name(), "")));
                }
            } else if (i instanceof Instruction.Env e) {
                e.pairs().forEach(kv -> env.put(kv.key(), kv.value()));
            }
            done.add(i);
        }
        Instruction.Label label = (Instruction.Label) done.get(1);
        assertThat(label.pairs()).containsExactly(new KeyValue("org.opencontainers.image.title", "Shop service"),
                new KeyValue("org.opencontainers.image.version", "1.4.2"), new KeyValue("java.version", "21"));
        assertThat(env).containsEntry("JAVA_OPTS", "-XX:+UseZGC -Xmx512m").containsEntry("APP_HOME", "/opt/app");
        Instruction.Run useradd = (Instruction.Run) done.get(3);
        assertThat(useradd.command().shellCommand()).contains("groupadd -r app && useradd -r -g app -d ${APP_HOME} app");
        assertThat(((Instruction.Workdir) done.get(4)).path()).isEqualTo("/opt/app");
        Instruction.Copy jar = (Instruction.Copy) done.get(5);
        assertThat(jar.sources()).containsExactly("/src/target/shop-*.jar");
        assertThat(jar.destination()).isEqualTo("./app.jar");
        assertThat(jar.chown()).contains("app:app");
        assertThat(((Instruction.Expose) done.get(7)).ports()).containsExactly("8080/tcp", "9090");
        assertThat(((Instruction.Volume) done.get(8)).paths()).containsExactly("/opt/app/logs");
        Instruction.Healthcheck health = (Instruction.Healthcheck) done.get(10);
        assertThat(health.interval()).contains(Duration.ofSeconds(15));
        assertThat(health.timeout()).contains(Duration.ofSeconds(3));
        assertThat(health.retries()).contains(5);
        assertThat(health.test()).containsExactly("CMD", "curl", "-fsS", "http://localhost:8080/health");
        assertThat(((Instruction.StopSignal) done.get(11)).signal()).isEqualTo("SIGTERM");
        Instruction.Entrypoint ep = (Instruction.Entrypoint) done.get(12);
        assertThat(ep.command().arguments()).containsExactly("sh", "-c", "exec java $JAVA_OPTS -jar app.jar");
        assertThat(((Instruction.Cmd) done.get(13)).command().arguments()).containsExactly("--spring.profiles.active=prod");
    }

    @Test
    void buildStageContinuationWithCommentAndMount() {
        Containerfile f = parse(JAVA_APP);
        Instruction.Run run = (Instruction.Run) f.stages().get(0).instructions().get(5);
        assertThat(run.line()).isEqualTo(12);
        assertThat(run.mounts()).extracting(m -> m.target().orElseThrow()).containsExactly("/root/.m2");
        assertThat(run.command().shellCommand()).contains("mvn -B -q package -DskipTests=${SKIP_TESTS}");
        assertThat(run.source()).isEqualTo(
                "RUN --mount=type=cache,target=/root/.m2     mvn -B -q package -DskipTests=${SKIP_TESTS}");
    }

    @Test
    void unnamedStagesAndScratch() {
        Containerfile f = parse("FROM golang:1.22\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=0 /out/app /app\n"
                + "ENTRYPOINT [\"/app\"]\n");
        assertThat(f.stages()).hasSize(2);
        assertThat(f.stages().get(1).name()).isEmpty();
        assertThat(f.stages().get(1).baseImage()).isEqualTo("scratch");
        assertThat(f.stage("0")).map(Stage::baseImage).contains("golang:1.22");
    }
}
