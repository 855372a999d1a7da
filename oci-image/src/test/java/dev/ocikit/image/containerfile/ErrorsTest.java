package dev.ocikit.image.containerfile;

import static dev.ocikit.image.containerfile.InstructionParseTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way a Containerfile can be wrong, and what the message says about it. */
class ErrorsTest {

    private static ContainerfileException failure(String text) {
        try {
            parse(text);
        } catch (ContainerfileException e) {
            return e;
        }
        throw new AssertionError("parsed without error: " + text);
    }

    @Test
    void messageNamesFileLineAndInstruction() {
        ContainerfileException e = failure("FROM alpine\n\n# copy it\nCOPY only-one\n");
        assertThat(e).isInstanceOf(OciException.class);
        assertThat(e.getMessage()).isEqualTo(
                "Containerfile:4: COPY: requires at least two arguments, got 1: COPY source... destination");
        assertThat(e.file()).contains("Containerfile");
        assertThat(e.line()).hasValue(4);
        assertThat(e.instruction()).contains("COPY");
        assertThat(e.problem()).startsWith("requires at least two arguments");
    }

    /** Each case: the instruction lines after "FROM alpine", the line reported, the message after "file:line: ". */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "FORM alpine|2|FORM: unknown instruction (did you mean FROM?)",
        "RUNN echo|2|RUNN: unknown instruction (did you mean RUN?)",
        "FROBNICATE x|2|FROBNICATE: unknown instruction",
        "ADD x|2|ADD: requires at least two arguments, got 1",
        "COPY [\"a\"]|2|COPY: requires at least two arguments, got 1",
        "COPY|2|COPY: requires at least two arguments, got 0",
        "RUN|2|RUN: requires a command",
        "RUN []|2|RUN: requires a command: the JSON array is empty",
        "CMD|2|CMD: requires a command",
        "ENTRYPOINT|2|ENTRYPOINT: requires a command",
        "ENV|2|ENV: requires at least one NAME=value",
        "ENV ONLYNAME|2|ENV: ENV ONLYNAME has no value: write ENV ONLYNAME=value",
        "ENV A=1 B|2|ENV: 'B' has no '='",
        "ENV =x|2|ENV: '=x' has no name before '='",
        "LABEL|2|LABEL: requires at least one NAME=value",
        "ARG|2|ARG: requires a name",
        "ARG =1|2|ARG: '=1' has no name before '='",
        "WORKDIR|2|WORKDIR: requires a path",
        "USER|2|USER: requires a user",
        "STOPSIGNAL|2|STOPSIGNAL: requires a signal",
        "STOPSIGNAL SIG TERM|2|STOPSIGNAL: 'SIG TERM' is not a signal",
        "MAINTAINER|2|MAINTAINER: requires a name",
        "EXPOSE|2|EXPOSE: requires at least one port",
        "EXPOSE http|2|EXPOSE: 'http' is not a port",
        "EXPOSE 8080:80|2|EXPOSE: '8080:80' is not a port: expected PORT[/PROTOCOL] or FIRST-LAST[/PROTOCOL] (EXPOSE does not publish: drop the host part)",
        "EXPOSE 70000|2|EXPOSE: '70000' is not a port",
        "EXPOSE 90-80|2|EXPOSE: '90-80' is not a port",
        "EXPOSE 80/icmp|2|EXPOSE: '80/icmp' has protocol 'icmp'",
        "VOLUME|2|VOLUME: requires at least one path",
        "VOLUME [\"\"]|2|VOLUME: a volume path is empty",
        "SHELL /bin/bash -c|2|SHELL: must be written in JSON form, like SHELL [\"/bin/bash\", \"-c\"]",
        "SHELL ['/bin/bash']|2|SHELL: must be written in JSON form",
        "SHELL []|2|SHELL: requires at least one argument",
        "SHELL [\"/bin/sh\", 1]|2|SHELL: a JSON array here must hold only strings, found 1",
        "RUN [\"echo\", true]|2|RUN: a JSON array here must hold only strings, found true",
        "HEALTHCHECK|2|HEALTHCHECK: requires NONE or CMD command",
        "HEALTHCHECK --interval=5x CMD true|2|HEALTHCHECK: --interval: '5x' is not a duration",
        "HEALTHCHECK --timeout=soon CMD true|2|HEALTHCHECK: --timeout: 'soon' is not a duration",
        "HEALTHCHECK --interval=10us CMD true|2|HEALTHCHECK: --interval must be 0 (the default) or at least 1ms, got 10us",
        "HEALTHCHECK --start-period=-1s CMD true|2|HEALTHCHECK: --start-period must be 0 (the default) or at least 1ms",
        "HEALTHCHECK --retries=three CMD true|2|HEALTHCHECK: --retries is a whole number, not 'three'",
        "HEALTHCHECK --retries=-1 CMD true|2|HEALTHCHECK: --retries cannot be negative, got -1",
        "HEALTHCHECK NONE extra|2|HEALTHCHECK: HEALTHCHECK NONE takes no flags or arguments, got extra",
        "HEALTHCHECK --retries=2 NONE|2|HEALTHCHECK: HEALTHCHECK NONE takes no flags or arguments, got --retries",
        "HEALTHCHECK CHECK true|2|HEALTHCHECK: unknown type 'CHECK': use HEALTHCHECK CMD command or HEALTHCHECK NONE",
        "HEALTHCHECK CMD|2|HEALTHCHECK: HEALTHCHECK CMD requires a command",
        "ONBUILD|2|ONBUILD: requires an instruction",
        "ONBUILD ONBUILD RUN x|2|ONBUILD: ONBUILD ONBUILD is not allowed",
        "ONBUILD FROM x|2|ONBUILD: FROM is not allowed as an ONBUILD trigger",
        "ONBUILD maintainer me|2|ONBUILD: MAINTAINER is not allowed as an ONBUILD trigger",
        "ONBUILD COPY x|2|ONBUILD: trigger COPY: requires at least two arguments, got 1",
        "ONBUILD FETCH x|2|ONBUILD: trigger FETCH: unknown instruction",
        "COPY --form=build a b|2|COPY: unknown flag --form (did you mean --from?); COPY accepts --from --chown --chmod --link --parents --exclude",
        "ADD --from=build a b|2|ADD: unknown flag --from; ADD accepts",
        "WORKDIR --x=1 /a|2|WORKDIR: unknown flag --x: WORKDIR takes no flags",
        "CMD --version|2|CMD: unknown flag --version: CMD takes no flags",
        "COPY --from=a --from=b x y|2|COPY: flag --from is given more than once",
        "COPY --from x y|2|COPY: flag --from needs a value: --from=VALUE",
        "COPY --from= x y|2|COPY: --from needs a stage name, a stage index or an image",
        "COPY --link=maybe x y|2|COPY: flag --link is true or false, not 'maybe'",
        "RUN --mount=type=cache echo|2|RUN: --mount of type cache needs a target",
        "RUN --mount=type=nfs,target=/x echo|2|RUN: --mount type 'nfs' is not one of bind, cache, tmpfs, secret, ssh",
        "RUN --mount=target=/x,colour=red echo|2|RUN: --mount has an unknown field 'colour'",
        "RUN --mount=target=/x,bogus echo|2|RUN: --mount field 'bogus' must be key=value",
        "RUN --mount=type=cache,target=/x,sharing=all echo|2|RUN: --mount sharing is shared, private or locked, not 'all'",
        "RUN --network=bridge echo|2|RUN: --network is default, none or host, not 'bridge'",
        "RUN --security=root echo|2|RUN: --security is sandbox or insecure, not 'root'",
        "COPY ${SRC /dst|2|COPY: in \"${SRC\": missing '}' to close \"${SRC\"",
        "WORKDIR ${DIR:-/app|2|WORKDIR: in \"${DIR:-/app\": missing '}' to close \"${DIR\"",
        "ENV A=\"unterminated|2|ENV: in \"\"unterminated\": unterminated double quote",
        "LABEL a='x|2|LABEL: in \"'x\": unterminated single quote",
        "USER ${}|2|USER: in \"${}\": bad substitution",
        "EXPOSE ${P|2|EXPOSE: in \"${P\": missing '}'",
        "RUN echo ok\\nCOPY <<EOF /dst\\nhello\\n|3|COPY: heredoc <<EOF is not terminated: end it with a line holding only EOF",
        "COPY a <<EOF\\nx\\nEOF|2|COPY: the destination cannot be a heredoc",
        "ONBUILD RUN <<EOF\\nx\\nEOF|2|ONBUILD: trigger RUN: heredocs are not supported in ONBUILD triggers",
    })
    void instructionErrors(String instructions, int line, String message) {
        ContainerfileException e = failure("FROM alpine\n" + instructions.replace("\\n", "\n") + "\n");
        assertThat(e.getMessage()).startsWith("Containerfile:" + line + ": " + message);
        assertThat(e.line()).hasValue(line);
    }

    @Test
    void emptyFile() {
        assertThat(failure("").getMessage()).isEqualTo(
                "Containerfile: has no instructions (it is empty or holds only comments): start it with FROM image");
        assertThat(failure("# only\n\n  # comments\n").line()).isEmpty();
    }

    @Test
    void noFrom() {
        assertThat(failure("ARG A=1\nARG B\n").getMessage())
                .isEqualTo("Containerfile: has no FROM instruction: a build needs at least one stage, FROM image");
    }

    @Test
    void instructionBeforeFrom() {
        assertThat(failure("ARG V=1\nRUN echo $V\nFROM alpine\n").getMessage())
                .isEqualTo("Containerfile:2: RUN: comes before the first FROM: only ARG may come before FROM");
    }

    @Test
    void badFrom() {
        assertThat(failure("FROM\n").getMessage()).isEqualTo(
                "Containerfile:1: FROM: requires an image: FROM image or FROM image AS name");
        assertThat(failure("FROM a b\n").getMessage()).isEqualTo(
                "Containerfile:1: FROM: expects FROM image or FROM image AS name, got 2 words: a b");
        assertThat(failure("FROM a AS b c\n").getMessage()).contains("got 4 words");
        assertThat(failure("FROM a LIKE b\n").getMessage()).contains("got 3 words");
        assertThat(failure("FROM --platform linux/amd64 a\n").getMessage())
                .isEqualTo("Containerfile:1: FROM: flag --platform needs a value: --platform=VALUE");
        assertThat(failure("FROM --plattform=linux/amd64 a\n").getMessage())
                .startsWith("Containerfile:1: FROM: unknown flag --plattform (did you mean --platform?)");
    }

    @ParameterizedTest
    @CsvSource({"1st", "my stage", "stage!", "_x", "-x", "a/b", "ünï"})
    void invalidStageNames(String name) {
        String text = "FROM alpine AS " + name + "\n";
        if (name.contains(" ")) {
            assertThat(failure(text).getMessage()).contains("got 4 words");
            return;
        }
        assertThat(failure(text).getMessage()).isEqualTo("Containerfile:1: FROM: invalid stage name '" + name
                + "': a stage name starts with a letter and has only letters, digits, '-', '_' and '.'");
    }

    @Test
    void duplicateStageNamesIgnoringCase() {
        assertThat(failure("FROM a AS build\nRUN x\n\nFROM b AS Build\n").getMessage())
                .isEqualTo("Containerfile:4: FROM: duplicate stage name 'build', already used on line 1");
    }

    @Test
    void errorsInContinuedInstructionsNameTheirFirstLine() {
        assertThat(failure("FROM a\nRUN echo \\\n  one \\\n  two\nCOPY \\\n  x\n").line()).hasValue(5);
    }

    @Test
    void fileReadFromDiskIsNamedByItsPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("Containerfile");
        Files.writeString(file, "FROM a\nWORKDIR\n");
        assertThatThrownBy(() -> Containerfile.parse(file))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage(file + ":2: WORKDIR: requires a path: WORKDIR /path");
        Files.write(file, new byte[] {'F', 'R', 'O', 'M', ' ', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> Containerfile.parse(file))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage(file + ": is not UTF-8 text");
        Files.writeString(file, "FROM alpine\nRUN echo é\n", StandardCharsets.UTF_8);
        assertThat(Containerfile.parse(file).fileName()).isEqualTo(file.toString());
        assertThatThrownBy(() -> Containerfile.parse(dir.resolve("missing"))).isInstanceOf(IOException.class);
    }
}
