package dev.ocikit.examples;

import dev.ocikit.examples.cli.Ocikit;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the ocikit CLI in this JVM, as the tests drive it: its exit code, stdout and stderr. */
record Run(int exit, String out, String err) {

    /** Runs the CLI with these arguments, capturing what it prints. */
    static Run ocikit(String... args) {
        CommandLine cli = Ocikit.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }
}
