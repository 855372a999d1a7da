package dev.ocikit.image.containerfile;

import static dev.ocikit.image.containerfile.InstructionParseTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Lines, continuations, comments and parser directives. */
class LexingTest {

    private static List<Instruction> body(String text) {
        return parse(text).stages().get(0).instructions();
    }

    @Test
    void continuationsJoinLinesAndSkipCommentsAndBlankLines() {
        List<Instruction> body = body("""
                FROM alpine
                RUN apk add \\
                    # the compiler
                    gcc \\

                  # and make, indented comment
                    make
                EXPOSE 80
                """);
        Instruction.Run run = (Instruction.Run) body.get(0);
        assertThat(run.command().shellCommand()).contains("apk add     gcc     make");
        assertThat(run.source()).isEqualTo("RUN apk add     gcc     make");
        assertThat(run.line()).isEqualTo(2);
        assertThat(body.get(1).line()).isEqualTo(8);
    }

    @Test
    void trailingBlanksAfterTheContinuationAreTolerated() {
        Instruction.Run run = (Instruction.Run) body("FROM a\nRUN echo one \\ \t\n  two\n").get(0);
        assertThat(run.command().shellCommand()).contains("echo one   two");
    }

    @Test
    void anEscapedEscapeAtTheEndIsNotAContinuation() {
        List<Instruction> body = body("FROM a\nRUN echo a\\\\\nRUN echo b\n");
        assertThat(body).hasSize(2);
        assertThat(((Instruction.Run) body.get(0)).command().shellCommand()).contains("echo a\\\\");
    }

    @Test
    void aContinuationAtTheEndOfTheFileEndsTheInstruction() {
        assertThat(((Instruction.Run) body("FROM a\nRUN echo x \\").get(0)).command().shellCommand())
                .contains("echo x");
    }

    @Test
    void hashIsACommentOnlyAtTheStartOfALine() {
        List<Instruction> body = body("FROM a\n   # indented comment\nRUN echo hi # not a comment\n");
        assertThat(body).hasSize(1);
        assertThat(((Instruction.Run) body.get(0)).command().shellCommand()).contains("echo hi # not a comment");
    }

    @Test
    void windowsLineEndingsAndByteOrderMark() {
        List<Instruction> body = body("\uFEFFFROM a\r\nRUN echo \\\r\n  x\r\nUSER me\r\n");
        assertThat(((Instruction.Run) body.get(0)).command().shellCommand()).contains("echo   x");
        assertThat(((Instruction.User) body.get(1)).user()).isEqualTo("me");
        assertThat(body.get(1).line()).isEqualTo(4);
    }

    @Test
    void backtickEscapeDirectiveForWindowsPaths() {
        Containerfile f = parse("""
                # escape=`

                FROM mcr.microsoft.com/windows/servercore
                COPY testfile.txt c:\\
                RUN dir c:\\ `
                    && echo done
                WORKDIR c:\\app
                """);
        assertThat(f.escape()).isEqualTo('`');
        List<Instruction> body = f.stages().get(0).instructions();
        assertThat(body).hasSize(3);
        Instruction.Copy copy = (Instruction.Copy) body.get(0);
        assertThat(copy.destination()).isEqualTo("c:\\");
        assertThat(((Instruction.Run) body.get(1)).command().shellCommand()).contains("dir c:\\     && echo done");
        Instruction.Workdir wd = f.expand((Instruction.Workdir) body.get(2), n -> java.util.Optional.empty());
        assertThat(wd.path()).isEqualTo("c:\\app");
    }

    @Test
    void withoutTheDirectiveATrailingBackslashContinues() {
        // the classic Windows pitfall: without # escape=` the backslash joins the lines
        List<Instruction> body = body("FROM a\nCOPY x c:\\\nRUN dir\n");
        assertThat(body).hasSize(1);
        assertThat(((Instruction.Copy) body.get(0)).sources()).containsExactly("x", "c:RUN");
    }

    @Test
    void directivesAreCaseInsensitiveAndTolerateBlanks() {
        assertThat(parse("#\tESCAPE = `\nFROM a\n").escape()).isEqualTo('`');
        assertThat(parse("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\n").escape())
                .isEqualTo('`');
    }

    @Test
    void directivesOnlyCountAtTheTop() {
        // after a comment, a blank line or an instruction, a directive is an ordinary comment
        assertThat(parse("# a comment\n# escape=`\nFROM a\n").escape()).isEqualTo('\\');
        assertThat(parse("\n# escape=`\nFROM a\n").escape()).isEqualTo('\\');
        assertThat(parse("FROM a\n# escape=`\n").escape()).isEqualTo('\\');
        // an unknown directive is a comment and ends the directives
        assertThat(parse("# unknown=1\n# escape=`\nFROM a\n").escape()).isEqualTo('\\');
        // a repeated directive below the top is just a comment
        assertThat(parse("# escape=`\nFROM a\n# escape=\\\n").escape()).isEqualTo('`');
    }

    @Test
    void badAndRepeatedDirectivesFail() {
        assertThatThrownBy(() -> parse("# escape=^\nFROM a\n"))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage("Containerfile:1: invalid escape directive '^': the escape character is \\ or `");
        assertThatThrownBy(() -> parse("# escape=`\n# escape=\\\nFROM a\n"))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage("Containerfile:2: the escape parser directive is given more than once");
    }

    @Test
    void sourceIsTheJoinedTrimmedLine() {
        Instruction i = body("FROM a\n   LABEL a=b \\\n      c=d   \n").get(0);
        assertThat(i.source()).isEqualTo("LABEL a=b       c=d");
    }

    @Test
    void globalArgsBeforeTheFirstFrom() {
        Containerfile f = parse("# comment\nARG BASE=alpine\nARG TAG\nFROM ${BASE}:${TAG:-latest}\nARG TAG\n");
        assertThat(f.globalArgs()).hasSize(2);
        assertThat(f.globalArgs().get(0).definitions().get(0).name()).isEqualTo("BASE");
        assertThat(f.globalArgs().get(1).line()).isEqualTo(3);
        assertThat(f.stages().get(0).instructions()).hasSize(1);
    }

    @Test
    void fileNameAndToString() {
        Containerfile f = Containerfile.parse("FROM a\nFROM b\n", "ctx/Dockerfile");
        assertThat(f.fileName()).isEqualTo("ctx/Dockerfile");
        assertThat(f.toString()).isEqualTo("ctx/Dockerfile (2 stages)");
    }
}
