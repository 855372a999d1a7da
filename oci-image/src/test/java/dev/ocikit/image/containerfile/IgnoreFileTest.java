package dev.ocikit.image.containerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IgnoreFileTest {

    /** Each case: the ignore file (lines joined by ';'), a path, whether it is excluded. */
    @ParameterizedTest(name = "[{0}] {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        // * and ? stay within one path segment, and patterns are anchored at the context root
        "*.log|app.log|true",
        "*.log|logs/app.log|false",
        "*.log|app.logs|false",
        "*/*.log|logs/app.log|true",
        "?.txt|a.txt|true",
        "?.txt|ab.txt|false",
        "a?b|a/b|false",
        // ** crosses directories, zero included
        "**/*.tmp|x.tmp|true",
        "**/*.tmp|a/b/c/x.tmp|true",
        "**/*.tmp|a/b/x.tmpl|false",
        "src/**/test|src/test|true",
        "src/**/test|src/a/b/test|true",
        "src/**/test|src/a/b/test/Foo.java|true",
        "src/**/test|other/src/test|false",
        "**|anything/at/all|true",
        "**/|anything|true",
        "dir/**|dir/x|true",
        "dir/**|dir|false",
        "**.txt|deep/dir/notes.txt|true",
        "**/node_modules|web/node_modules/x/index.js|true",
        // a directory pattern excludes everything below it
        "build|build|true",
        "build|build/classes/A.class|true",
        "build|src/build|false",
        "dir/|dir/sub/file|true",
        // cleaning: leading / and ./, .. segments
        "/abs|abs|true",
        "/abs|sub/abs|false",
        "./rel|rel|true",
        "./rel/|rel/x|true",
        "a/../b|b|true",
        "a/./b//c|a/b/c|true",
        // character classes and escapes
        "[a-c].txt|b.txt|true",
        "[a-c].txt|d.txt|false",
        "[^a-c].txt|d.txt|true",
        "[^a-c].txt|a.txt|false",
        "file[0-9][0-9]|file42|true",
        "file[0-9][0-9]|file4x|false",
        "[\\]].md|].md|true",
        "\\*.txt|*.txt|true",
        "\\*.txt|a.txt|false",
        "what\\?|what?|true",
        "what\\?|whats|false",
        "a\\ b|a b|true",
        "name with space.txt|name with space.txt|true",
        // literal regex characters are literal
        "a+b(c).txt|a+b(c).txt|true",
        "a.b|axb|false",
        // exceptions; the last matching line wins
        "*.log;!keep.log|keep.log|false",
        "*.log;!keep.log|other.log|true",
        "!keep.log;*.log|keep.log|true",
        "build;!build/keep.txt|build/keep.txt|false",
        "build;!build/keep.txt|build/other.txt|true",
        "build;!build/keep|build/keep/deep/file|false",
        "**/*.md;!README.md|README.md|false",
        "**/*.md;!README.md|docs/README.md|true",
        "*;!src|src/Main.java|false",
        "*;!src|lib/x.jar|true",
        "*;!src;src/gen|src/gen/X.java|true",
        // comments and blank lines; # only at the start of a line
        "# comment;;  ;*.bak|a.bak|true",
        "# *.bak|a.bak|false",
        "~  #x~|#x|true",
        "!  spaced.txt;*.txt;! spaced.txt|spaced.txt|false",
    })
    void matches(String lines, String path, boolean excluded) {
        IgnoreFile ignore = IgnoreFile.parse(lines.replace(';', '\n'));
        assertThat(ignore.excluded(path)).isEqualTo(excluded);
    }

    @Test
    void pathsAreNormalised() {
        IgnoreFile ignore = IgnoreFile.parse("target\n");
        assertThat(ignore.excluded("./target")).isTrue();
        assertThat(ignore.excluded("/target/")).isTrue();
        assertThat(ignore.excluded("src/../target/x")).isTrue();
        assertThat(ignore.excluded("target2")).isFalse();
    }

    @Test
    void theContextRootIsNeverExcluded() {
        IgnoreFile all = IgnoreFile.parse("**\n*\n");
        assertThat(all.excluded(".")).isFalse();
        assertThat(all.excluded("")).isFalse();
        assertThat(all.excluded("x")).isTrue();
    }

    @Test
    void mayIncludeUnder() {
        IgnoreFile plain = IgnoreFile.parse("build\nnode_modules\n");
        assertThat(plain.mayIncludeUnder("build")).isFalse();
        assertThat(plain.mayIncludeUnder("node_modules/react")).isFalse();
        assertThat(plain.mayIncludeUnder("src")).isTrue(); // not excluded at all

        IgnoreFile keep = IgnoreFile.parse("build\n!build/libs/app.jar\n");
        assertThat(keep.mayIncludeUnder("build")).isTrue();
        assertThat(keep.mayIncludeUnder("build/libs")).isTrue();
        assertThat(keep.mayIncludeUnder("build/classes")).isFalse();
        assertThat(keep.excluded("build/libs/app.jar")).isFalse();
        assertThat(keep.excluded("build/libs/other.jar")).isTrue();

        // an exception before the exclusion cannot re-include anything
        assertThat(IgnoreFile.parse("!build/keep\nbuild\n").mayIncludeUnder("build")).isFalse();
        // an exception elsewhere does not force a descent
        assertThat(IgnoreFile.parse("build\n!src/**\n").mayIncludeUnder("build")).isFalse();
        // wildcards in exceptions are followed segment by segment
        IgnoreFile docs = IgnoreFile.parse("*\n!docs/*.md\n");
        assertThat(docs.mayIncludeUnder("docs")).isTrue();
        assertThat(docs.mayIncludeUnder("src")).isFalse();
        assertThat(docs.mayIncludeUnder("docs/img")).isFalse();
        assertThat(IgnoreFile.parse("*\n!*/keep\n").mayIncludeUnder("anything")).isTrue();
        assertThat(IgnoreFile.parse("*\n!**/*.go\n").mayIncludeUnder("vendor/x")).isTrue();
        // dir/** excludes everything below dir without excluding dir itself
        IgnoreFile below = IgnoreFile.parse("cache/**\n");
        assertThat(below.excluded("cache")).isFalse();
        assertThat(below.mayIncludeUnder("cache")).isFalse();
        assertThat(IgnoreFile.parse("**\n").mayIncludeUnder("a")).isFalse();
        assertThat(IgnoreFile.parse("**\n!a/b\n").mayIncludeUnder("a")).isTrue();
        assertThat(IgnoreFile.parse("x\n").mayIncludeUnder(".")).isTrue();
        // a class holding '/' cannot be followed segment by segment: the answer is a safe "maybe"
        assertThat(IgnoreFile.parse("d\n!d/a[/]b/c\n").mayIncludeUnder("d/ax")).isTrue();
    }

    @Test
    void patternsAreReportedCleaned() {
        IgnoreFile ignore = IgnoreFile.parse("# c\n/abs/\n./rel\n! keep \n**/\n");
        assertThat(ignore.patterns()).containsExactly("abs", "rel", "!keep", "**");
        assertThat(ignore.isEmpty()).isFalse();
        assertThat(IgnoreFile.parse("# nothing\n\n").isEmpty()).isTrue();
        assertThat(IgnoreFile.none().excluded("x")).isFalse();
    }

    @Test
    void windowsLineEndingsAndBom() {
        IgnoreFile ignore = IgnoreFile.parse("\uFEFF*.log\r\n!keep.log\r\n");
        assertThat(ignore.excluded("a.log")).isTrue();
        assertThat(ignore.excluded("keep.log")).isFalse();
    }

    private static void malformed(String text, int line, String message) {
        assertThatThrownBy(() -> IgnoreFile.parse(text))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage(".containerignore:" + line + ": " + message)
                .satisfies(e -> assertThat(((ContainerfileException) e).line()).hasValue(line));
    }

    @Test
    void malformedPatterns() {
        malformed("ok\n[a-\n", 2, "bad pattern '[a-': '[' has no matching ']'");
        malformed("[]", 1, "bad pattern '[]': ']' inside [...] must be escaped as \\]");
        malformed("[a-]", 1, "bad pattern '[a-]': ']' inside [...] must be escaped as \\]");
        malformed("[ab-]", 1, "bad pattern '[ab-]': ']' inside [...] must be escaped as \\]");
        malformed("[-a]", 1, "bad pattern '[-a]': '-' inside [...] must be escaped as \\-");
        malformed("[\\", 1, "bad pattern '[\\': '[' has no matching ']'");
        malformed("x\ny\ntrailing\\", 3, "bad pattern 'trailing\\': it ends with a lone backslash (write \\\\ for a backslash)");
        malformed("a\n!\n", 2, "'!' alone is not a pattern: write !PATTERN to re-include what PATTERN matches");
        malformed("a\n  !  \n", 2, "'!' alone is not a pattern: write !PATTERN to re-include what PATTERN matches");
    }

    @Test
    void readPrefersContainerignore(@TempDir Path ctx) throws IOException {
        assertThat(IgnoreFile.read(ctx).isEmpty()).isTrue();
        assertThat(IgnoreFile.read(ctx).file()).isEmpty();
        Files.writeString(ctx.resolve(".dockerignore"), "docker-only\n");
        assertThat(IgnoreFile.read(ctx).patterns()).containsExactly("docker-only");
        Files.writeString(ctx.resolve(".containerignore"), "container-only\n");
        IgnoreFile read = IgnoreFile.read(ctx);
        assertThat(read.patterns()).containsExactly("container-only");
        assertThat(read.file()).contains(ctx.resolve(".containerignore"));
    }

    @Test
    void aContainerfileSpecificIgnoreFileWins(@TempDir Path ctx) throws IOException {
        Files.writeString(ctx.resolve(".containerignore"), "general\n");
        Path dir = Files.createDirectories(ctx.resolve("build"));
        Path cf = dir.resolve("Containerfile.prod");
        Files.writeString(cf, "FROM a\n");
        assertThat(IgnoreFile.read(ctx, cf).patterns()).containsExactly("general");
        Files.writeString(dir.resolve("Containerfile.prod.dockerignore"), "specific\n");
        assertThat(IgnoreFile.read(ctx, cf).patterns()).containsExactly("specific");
    }

    @Test
    void readReportsTheFileInErrors(@TempDir Path ctx) throws IOException {
        Files.writeString(ctx.resolve(".dockerignore"), "ok\n\n[oops\n");
        assertThatThrownBy(() -> IgnoreFile.read(ctx))
                .isInstanceOf(ContainerfileException.class)
                .hasMessage(ctx.resolve(".dockerignore") + ":3: bad pattern '[oops': '[' has no matching ']'");
    }
}
