package dev.ocikit.image.containerfile;

import static dev.ocikit.image.containerfile.InstructionParseTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BuildKit heredocs in RUN, COPY and ADD. */
class HeredocTest {

    private static List<Instruction> body(String text) {
        return parse(text).stages().get(0).instructions();
    }

    @Test
    void runWithOnlyAHeredocRunsItsBody() {
        List<Instruction> body = body("""
                FROM alpine
                RUN <<EOF
                apk add curl
                # a shell comment, not a Containerfile comment
                echo "$HOME"
                EOF
                USER nobody
                """);
        Instruction.Run run = (Instruction.Run) body.get(0);
        assertThat(run.heredocs()).containsExactly(new Heredoc("EOF",
                "apk add curl\n# a shell comment, not a Containerfile comment\necho \"$HOME\"\n", true, false, 0));
        assertThat(run.command().shellCommand()).contains("<<EOF");
        assertThat(run.source()).isEqualTo("RUN <<EOF");
        assertThat(run.script()).contains("apk add curl\n# a shell comment, not a Containerfile comment\necho \"$HOME\"\n");
        assertThat(body.get(1).line()).isEqualTo(7);
        assertThat(body.get(1)).isInstanceOf(Instruction.User.class);
    }

    @Test
    void chompedHeredocStripsLeadingTabs() {
        Instruction.Run run = (Instruction.Run) body("FROM a\nRUN <<-EOT\n\techo one\n\t\techo two\n\tEOT\n").get(0);
        Heredoc h = run.heredocs().get(0);
        assertThat(h.chomp()).isTrue();
        assertThat(h.content()).isEqualTo("\techo one\n\t\techo two\n");
        assertThat(h.text()).isEqualTo("echo one\necho two\n");
        assertThat(run.script()).contains("echo one\necho two\n");
    }

    @Test
    void shebangScriptIsKeptForTheExecutorToRunAsAFile() {
        Instruction.Run run = (Instruction.Run) body("FROM python\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\n").get(0);
        assertThat(run.script().orElseThrow()).startsWith("#!/usr/bin/env python3\n");
    }

    @Test
    void heredocsInsideACommandGoToTheShell() {
        Instruction.Run run = (Instruction.Run) body("""
                FROM alpine
                RUN cat <<FILE1 > /a && cat <<'FILE2' > /b
                one $HOME
                FILE1
                two $HOME
                FILE2
                """).get(0);
        assertThat(run.heredocs()).extracting(Heredoc::name).containsExactly("FILE1", "FILE2");
        assertThat(run.heredocs()).extracting(Heredoc::expand).containsExactly(true, false);
        assertThat(run.script()).contains("cat <<FILE1 > /a && cat <<'FILE2' > /b\none $HOME\nFILE1\ntwo $HOME\nFILE2\n");
    }

    @Test
    void fileDescriptorAndQuotedDelimiters() {
        Instruction.Run run = (Instruction.Run) body("FROM a\nRUN 3<<\"IN\" python3 /dev/fd/3\nx\nIN\n").get(0);
        assertThat(run.heredocs()).containsExactly(new Heredoc("IN", "x\n", false, false, 3));
    }

    @Test
    void notHeredocs() {
        List<Instruction> body = body("""
                FROM a
                RUN echo "<<EOF"
                RUN ["sh", "-c", "cat <<EOF"]
                RUN echo a<<b
                """);
        assertThat(body).hasSize(3);
        assertThat(body).allSatisfy(i -> assertThat(((Instruction.Run) i).heredocs()).isEmpty());
    }

    @Test
    void copyHeredocIsAnInlineFileExpandedWithTheStageVariables() {
        Containerfile f = parse("""
                FROM alpine
                COPY <<EOF /etc/app.conf
                name = "$APP"
                home = \\$HOME
                path = C:\\dir
                EOF
                COPY <<'RAW' <<EOF2 src.txt /opt/
                keep $APP
                RAW
                port=${PORT:-80}
                EOF2
                """);
        Instruction.Copy copy = (Instruction.Copy) f.stages().get(0).instructions().get(0);
        assertThat(copy.sources()).isEmpty();
        assertThat(copy.destination()).isEqualTo("/etc/app.conf");
        assertThat(copy.heredocs()).hasSize(1);
        Instruction.Copy expanded = f.expand(copy, Substitution.lookup(Map.of("APP", "shop")));
        Heredoc h = expanded.heredocs().get(0);
        assertThat(h.text()).isEqualTo("name = \"shop\"\nhome = $HOME\npath = C:\\dir\n");
        assertThat(h.expand()).isFalse(); // final now

        Instruction.Copy two = (Instruction.Copy) f.stages().get(0).instructions().get(1);
        assertThat(two.line()).isEqualTo(7);
        assertThat(two.sources()).containsExactly("src.txt");
        assertThat(two.heredocs()).extracting(Heredoc::name).containsExactly("RAW", "EOF2");
        Instruction.Copy twoExpanded = f.expand(two, Substitution.lookup(Map.of("APP", "shop")));
        assertThat(twoExpanded.heredocs()).extracting(Heredoc::text).containsExactly("keep $APP\n", "port=80\n");
    }

    @Test
    void addHeredoc() {
        Instruction.Add add = (Instruction.Add) body("FROM a\nADD <<-EOF /motd\n\tWelcome\n\tEOF\n").get(0);
        assertThat(add.heredocs()).hasSize(1);
        assertThat(add.heredocs().get(0).text()).isEqualTo("Welcome\n");
        Containerfile f = parse("FROM a\nADD <<-EOF /motd\n\tWelcome $U\n\tEOF\n");
        Instruction.Add e = f.expand((Instruction.Add) f.stages().get(0).instructions().get(0), n -> Optional.of("you"));
        assertThat(e.heredocs().get(0).text()).isEqualTo("Welcome you\n");
    }

    @Test
    void runScriptWithoutHeredocIsTheCommand() {
        Instruction.Run run = (Instruction.Run) body("FROM a\nRUN make all\n").get(0);
        assertThat(run.script()).contains("make all");
    }
}
