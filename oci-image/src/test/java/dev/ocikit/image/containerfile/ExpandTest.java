package dev.ocikit.image.containerfile;

import static dev.ocikit.image.containerfile.InstructionParseTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Containerfile#expand}: which words of which instruction, and ENV/LABEL quoting. */
class ExpandTest {
    private static final Function<String, Optional<String>> VARS = Substitution.lookup(Map.of(
            "APP", "shop", "UID", "1000", "HOME", "/home/app", "PORTS", "80 443/tcp", "STAGE", "build",
            "EMPTY", ""));

    private static <T extends Instruction> T expanded(String line, Class<T> type) {
        Containerfile f = parse("FROM scratch\n" + line + "\n");
        return f.expand(type.cast(f.stages().get(0).instructions().get(0)), VARS);
    }

    /** ENV values as Docker stores them: quotes removed, escapes applied, variables expanded. */
    @ParameterizedTest(name = "ENV {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "A=plain|plain",
        "A=\"double quoted\"|double quoted",
        "A='single quoted'|single quoted",
        "A=escaped\\ space|escaped space",
        "A=\"$APP\"|shop",
        "A='$APP'|$APP",
        "A=\\$APP|$APP",
        "A=\"a \\\"quote\\\"\"|a \"quote\"",
        "A=\"back\\\\slash\"|back\\slash",
        "A=\"keep\\n\"|keep\\n",
        "A=mixed\"$APP\"'$APP'|mixedshop$APP",
        "A=${APP}-${MISSING:-dflt}|shop-dflt",
        "A=\"\"|~~",
        "A=|~~",
        "A=\"one  two\"|one  two",
        "A=x=y|x=y",
        "A \"legacy quoted\"|legacy quoted",
        "A legacy   $APP  value|legacy   shop  value",
    })
    void envQuoting(String args, String value) {
        Instruction.Env env = expanded("ENV " + args, Instruction.Env.class);
        assertThat(env.pairs()).containsExactly(new KeyValue("A", value));
    }

    @Test
    void envKeysExpandAndAllPairsSeeTheOldValues() {
        Containerfile f = parse("FROM scratch\nENV APP=new COPY_OF_APP=$APP ${APP}_DIR=/srv\n");
        Instruction.Env env = f.expand((Instruction.Env) f.stages().get(0).instructions().get(0), VARS);
        assertThat(env.pairs()).containsExactly(new KeyValue("APP", "new"), new KeyValue("COPY_OF_APP", "shop"),
                new KeyValue("shop_DIR", "/srv"));
        assertThat(env.source()).isEqualTo("ENV APP=new COPY_OF_APP=$APP ${APP}_DIR=/srv");
    }

    @Test
    void label() {
        Instruction.Label label = expanded("LABEL \"com.example.app\"=\"$APP\" version=1.0 desc='a b'",
                Instruction.Label.class);
        assertThat(label.pairs()).containsExactly(new KeyValue("com.example.app", "shop"),
                new KeyValue("version", "1.0"), new KeyValue("desc", "a b"));
    }

    @Test
    void argDefaults() {
        Instruction.Arg arg = expanded("ARG DIR=$HOME/src NAME Q=\"a b\" E=", Instruction.Arg.class);
        assertThat(arg.definitions()).containsExactly(new ArgDefinition("DIR", Optional.of("/home/app/src")),
                new ArgDefinition("NAME", Optional.empty()), new ArgDefinition("Q", Optional.of("a b")),
                new ArgDefinition("E", Optional.of("")));
    }

    @Test
    void copyExpandsPathsAndFlags() {
        Instruction.Copy copy = expanded("COPY --from=$STAGE --chown=${UID}:${UID} --chmod=${MODE:-644}"
                + " --exclude=$APP.log $APP/*.jar \"$HOME\"/x.conf $HOME/", Instruction.Copy.class);
        assertThat(copy.from()).contains("build");
        assertThat(copy.chown()).contains("1000:1000");
        assertThat(copy.chmod()).contains("644");
        assertThat(copy.excludes()).containsExactly("shop.log");
        assertThat(copy.sources()).containsExactly("shop/*.jar", "/home/app/x.conf");
        assertThat(copy.destination()).isEqualTo("/home/app/");
        Instruction.Copy json = expanded("COPY [\"$APP dir\", \"/${APP}/\"]", Instruction.Copy.class);
        assertThat(json.sources()).containsExactly("shop dir");
        assertThat(json.destination()).isEqualTo("/shop/");
    }

    @Test
    void addExpands() {
        Instruction.Add add = expanded("ADD --chown=$UID https://example.com/$APP.tgz /opt/$APP/", Instruction.Add.class);
        assertThat(add.sources()).containsExactly("https://example.com/shop.tgz");
        assertThat(add.destination()).isEqualTo("/opt/shop/");
        assertThat(add.chown()).contains("1000");
    }

    @Test
    void singleWordInstructions() {
        assertThat(expanded("WORKDIR $HOME/${APP}", Instruction.Workdir.class).path()).isEqualTo("/home/app/shop");
        assertThat(expanded("WORKDIR \"/my dir\"", Instruction.Workdir.class).path()).isEqualTo("/my dir");
        assertThat(expanded("USER ${UID}:${GID:-${UID}}", Instruction.User.class).user()).isEqualTo("1000:1000");
        assertThat(expanded("STOPSIGNAL ${SIG:-SIGQUIT}", Instruction.StopSignal.class).signal()).isEqualTo("SIGQUIT");
        assertThat(expanded("VOLUME $HOME/data [x]", Instruction.Volume.class).paths())
                .containsExactly("/home/app/data", "[x]");
        assertThat(expanded("VOLUME [\"$HOME\"]", Instruction.Volume.class).paths()).containsExactly("/home/app");
    }

    @Test
    void exposeSplitsExpandedWordsAndChecksThem() {
        assertThat(expanded("EXPOSE $PORTS 53/udp", Instruction.Expose.class).ports())
                .containsExactly("80", "443/tcp", "53/udp");
        Containerfile f = parse("FROM scratch\nEXPOSE $APP\n");
        Instruction.Expose raw = (Instruction.Expose) f.stages().get(0).instructions().get(0);
        assertThatThrownBy(() -> f.expand(raw, VARS))
                .isInstanceOf(ContainerfileException.class)
                .hasMessageStartingWith("Containerfile:2: EXPOSE: 'shop' is not a port");
    }

    @Test
    void emptyVolumeAfterExpansionFails() {
        Containerfile f = parse("FROM scratch\nVOLUME $EMPTY\n");
        assertThatThrownBy(() -> f.expand(f.stages().get(0).instructions().get(0), VARS))
                .hasMessage("Containerfile:2: VOLUME: a volume path is empty after expansion");
    }

    @Test
    void runMountValuesExpandButTheCommandDoesNot() {
        Instruction.Run run = expanded("RUN --mount=type=cache,target=$HOME/.m2,id=${APP}-m2 --network=none"
                + " echo $HOME", Instruction.Run.class);
        assertThat(run.mounts().get(0).target()).contains("/home/app/.m2");
        assertThat(run.mounts().get(0).id()).contains("shop-m2");
        assertThat(run.command().shellCommand()).contains("echo $HOME");
        // a mount value is checked once expanded
        Containerfile f = parse("FROM scratch\nRUN --mount=type=$T,target=/x true\n");
        Instruction raw = f.stages().get(0).instructions().get(0);
        assertThat(((Instruction.Run) f.expand(raw, n -> Optional.of("cache"))).mounts().get(0).type())
                .isEqualTo("cache");
        assertThatThrownBy(() -> f.expand(raw, n -> Optional.of("nfs")))
                .hasMessageStartingWith("Containerfile:2: RUN: --mount type 'nfs'");
    }

    @Test
    void commandsAreNeverExpanded() {
        for (String line : List.of("CMD echo $APP", "ENTRYPOINT [\"$APP\"]", "HEALTHCHECK CMD test $APP",
                "SHELL [\"$APP\"]", "MAINTAINER $APP", "ONBUILD RUN $APP", "RUN [\"$APP\"]")) {
            Containerfile f = parse("FROM scratch\n" + line + "\n");
            Instruction raw = f.stages().get(0).instructions().get(0);
            assertThat(f.expand(raw, VARS)).as(line).isEqualTo(raw);
        }
    }

    @Test
    void unsetRequiredVariableFailsWithLocation() {
        Containerfile f = parse("FROM scratch\n\nCOPY app-${VERSION:?pass_--build-arg_VERSION}.jar /app.jar\n");
        assertThatThrownBy(() -> f.expand(f.stages().get(0).instructions().get(0), VARS))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage("Containerfile:3: COPY: in \"app-${VERSION:?pass_--build-arg_VERSION}.jar\": "
                        + "VERSION: pass_--build-arg_VERSION");
    }

    @Test
    void fromSeesGlobalArgs() {
        Containerfile f = parse("ARG REGISTRY=docker.io\nARG TAG\n"
                + "FROM --platform=$BUILDPLATFORM ${REGISTRY}/library/alpine:${TAG:-3.20} AS base\n");
        Stage s = f.stages().get(0);
        Map<String, String> globals = Map.of("REGISTRY", "quay.io", "BUILDPLATFORM", "linux/amd64");
        assertThat(s.baseImage(Substitution.lookup(globals))).isEqualTo("quay.io/library/alpine:3.20");
        assertThat(s.platform(Substitution.lookup(globals))).contains("linux/amd64");
        assertThat(s.baseImage()).isEqualTo("${REGISTRY}/library/alpine:${TAG:-3.20}");
        Containerfile g = parse("FROM ${IMAGE:?required}\n");
        assertThatThrownBy(() -> g.stages().get(0).baseImage(n -> Optional.empty()))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage("Containerfile:1: FROM: in \"${IMAGE:?required}\": IMAGE: required");
    }

    @Test
    void expansionUsesTheFilesEscapeCharacter() {
        Containerfile f = parse("# escape=`\nFROM scratch\nENV P=C:\\dir\\$APP Q=`$APP\n");
        Instruction.Env env = f.expand((Instruction.Env) f.stages().get(0).instructions().get(0), VARS);
        assertThat(env.pairs()).containsExactly(new KeyValue("P", "C:\\dir\\shop"), new KeyValue("Q", "$APP"));
    }
}
