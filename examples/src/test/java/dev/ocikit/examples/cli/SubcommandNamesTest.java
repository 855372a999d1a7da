package dev.ocikit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SubcommandNamesTest {
    @Test
    void eachSubcommandIsFoundByTheNameItsCommandAnnotationGives() {
        Map<String, Class<?>> declared = new java.util.HashMap<>();
        for (Class<?> c : Ocikit.SUBCOMMANDS) {
            CommandLine.Command command = c.getAnnotation(CommandLine.Command.class);
            declared.put(command.name(), c);
            for (String alias : command.aliases()) {
                declared.put(alias, c);
            }
        }
        assertThat(Ocikit.SUBCOMMANDS_BY_NAME).isEqualTo(declared);
        assertThat(Ocikit.commandLine().getSubcommands().keySet()).isEqualTo(declared.keySet());
    }

    @Test
    void theCommandIsTheFirstArgumentThatIsNotAGlobalOption() {
        assertThat(Ocikit.commandName(new String[] {"--root", "/s", "--registries.d=/d", "run", "--rm", "copy"}))
                .contains("run");
        assertThat(Ocikit.commandName(new String[] {"--version"})).isEmpty();
        assertThat(Ocikit.commandName(new String[] {})).isEmpty();
        assertThat(Ocikit.commandLine(new String[] {"run", "x"}).getSubcommands()).containsKey("run").doesNotContainKey("copy");
        assertThat(Ocikit.commandLine(new String[] {"--help"}).getSubcommands()).hasSize(Ocikit.SUBCOMMANDS_BY_NAME.size());
    }
}
