package dev.ocikit.examples.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Set;
import picocli.CommandLine;

/**
 * Ends the process at once after a command that talked to registries and files only. HotSpot's
 * exit waits up to 300 ms for every thread that is in native code to stop there, and
 * {@link java.net.http.HttpClient}'s selector thread always is (it waits in {@code epoll_wait});
 * Java 17 has no way to close a client, so each such command would end 300 ms after its work.
 * libc's {@code _exit} ends it now. Safe for these commands only: they start no containers (no
 * shutdown hook of ocikit's has anything to do), leave no file to {@code deleteOnExit}, and all
 * they write is on disk or flushed here before the end.
 */
final class QuickExit {
    private static final Set<String> COMMANDS = Set.of("copy", "inspect", "sync", "list-tags", "login", "logout", "pull",
            "push", "delete");

    private interface LibC extends Library {
        void _exit(int status);
    }

    private QuickExit() {}

    /** Returns only if the command is not one of those, or the process could not be ended this way. */
    static void afterCommand(CommandLine cli, int exitCode) {
        CommandLine.ParseResult parsed = cli.getParseResult();
        if (parsed == null || !parsed.hasSubcommand() || !COMMANDS.contains(parsed.subcommand().commandSpec().name())) {
            return;
        }
        System.out.flush();
        System.err.flush();
        if (System.out.checkError() || System.err.checkError()) {
            return; // let the JVM's own exit report what it can
        }
        try {
            Native.load(com.sun.jna.Platform.C_LIBRARY_NAME, LibC.class)._exit(exitCode); // libc.so.6: "c" would make JNA run ldconfig -p
        } catch (Throwable noNativeExit) {
            // no libc through JNA here: the ordinary exit, 300 ms later
        }
    }
}
