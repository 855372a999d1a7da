package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.testing.Tools;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildReaperIT {
    @TempDir
    Path tmp;

    private RuntimeCli runc;

    @BeforeAll
    static void install() {
        Tools.require("runc");
        ChildReaper.install();
        ChildReaper.install(); // idempotent
    }

    @BeforeEach
    void setUp() {
        runc = RuntimeCli.runc().root(tmp.resolve("state"));
    }

    @AfterEach
    void cleanUp() {
        TestBundles.deleteAll(runc);
    }

    @Test
    void isInstalled() {
        assertThat(ChildReaper.isInstalled()).isTrue();
    }

    @Test
    void reapsTheOrphanedInitWithItsExitCode() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sh", "-c", "exit 7");
        String id = TestBundles.id("exit7");
        runc.create(id, bundle, CreateOptions.defaults().pidFile(tmp.resolve("pid")));
        long pid = RuntimeCli.readPidFile(tmp.resolve("pid"));
        var exit = ChildReaper.exitOf(pid);
        assertThat(ChildReaper.exitOf(pid)).isSameAs(exit);
        runc.start(id);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void killedBySignalIs128PlusSignal() throws Exception {
        Path bundle = TestBundles.create(tmp.resolve("b"), false, "sleep", "1000");
        String id = TestBundles.id("kill9");
        runc.create(id, bundle, CreateOptions.defaults().pidFile(tmp.resolve("pid")));
        var exit = ChildReaper.exitOf(RuntimeCli.readPidFile(tmp.resolve("pid")));
        runc.start(id);
        runc.kill(id, "SIGKILL", false);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(137);
    }

    @Test
    void notOurChildIsTyped() {
        var exit = ChildReaper.exitOf(1);
        assertThatThrownBy(() -> exit.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ChildReaperException.class, e -> {
                    assertThat(e.errno()).isEqualTo(10);
                    assertThat(e.pid()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("not a child");
                });
    }
}
