package dev.ocikit.runtime.invoker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RuntimeLogTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void takesErrorLinesOnly() {
        String log = "{\"level\":\"warning\",\"msg\":\"cgroup v1 is deprecated\",\"time\":\"t\"}\n"
                + "{\"level\":\"error\",\"msg\":\"runc run failed: unable to start container process: exec: \\\"nonexist\\\":"
                + " executable file not found in $PATH\",\"time\":\"t\"}\n";
        assertThat(RuntimeLog.errors(b(log))).containsExactly(
                "runc run failed: unable to start container process: exec: \"nonexist\": executable file not found in $PATH");
    }

    @Test
    void skipsTornAndPlainLinesAndFallsBackToStderr() {
        String log = "{\"level\":\"error\",\"msg\":\"trunc\ntime=\"x\" level=error msg=\"plain\"\n[1,2]\n";
        assertThat(RuntimeLog.errors(b(log))).isEmpty();
        assertThat(RuntimeLog.errorText(b(log), b("container does not exist\n"))).isEqualTo("container does not exist");
    }

    @Test
    void severalErrorsAreJoined() {
        String log = "{\"level\":\"error\",\"msg\":\"a\"}\n{\"level\":\"fatal\",\"msg\":\"b\"}\n";
        assertThat(RuntimeLog.errorText(b(log), b("ignored"))).isEqualTo("a; b");
    }

    @Test
    void recognisesMissingContainerButNotMissingExecutable() {
        assertThat(RuntimeLog.isNoSuchContainer("container does not exist")).isTrue();
        assertThat(RuntimeLog.isNoSuchContainer("container `abc` does not exist")).isTrue();
        assertThat(RuntimeLog.isNoSuchContainer("container \"abc\" not found")).isTrue();
        assertThat(RuntimeLog.isNoSuchContainer(
                "error opening file `/run/crun/abc/status`: No such file or directory")).isTrue();
        assertThat(RuntimeLog.isNoSuchContainer(
                "exec failed: unable to start container process: exec: \"/nonexist\": stat /nonexist: no such file or directory"))
                .isFalse();
        assertThat(RuntimeLog.isNoSuchContainer(
                "runc run failed: unable to start container process: exec: \"x\": executable file not found in $PATH"))
                .isFalse();
    }

    @Test
    void recognisesAMissingExecutable() {
        // runc 1.1, at create/run and at exec
        assertThat(RuntimeLog.isExecutableNotFound("runc create failed: unable to start container process:"
                + " exec: \"nosuchcmd\": executable file not found in $PATH")).isTrue();
        assertThat(RuntimeLog.isExecutableNotFound("exec failed: unable to start container process:"
                + " exec: \"/nosuch\": stat /nosuch: no such file or directory")).isTrue();
        // crun
        assertThat(RuntimeLog.isExecutableNotFound("executable file `nosuchcmd` not found in $PATH:"
                + " No such file or directory")).isTrue();
        assertThat(RuntimeLog.isExecutableNotFound("exec container process `/nosuch`: No such file or directory"))
                .isTrue();
        // other missing files are not the executable
        assertThat(RuntimeLog.isExecutableNotFound("runc create failed: unable to start container process:"
                + " error during container init: error mounting \"/src\" to rootfs at \"/dst\": stat /src:"
                + " no such file or directory")).isFalse();
        assertThat(RuntimeLog.isExecutableNotFound("error opening file `/run/crun/abc/status`:"
                + " No such file or directory")).isFalse();
        assertThat(RuntimeLog.isExecutableNotFound("exec: \"/etc/passwd\": permission denied")).isFalse();
    }

    @Test
    void recognisesAnExecutableThatMayNotRun() {
        assertThat(RuntimeLog.isExecutableNotPermitted("runc create failed: unable to start container process:"
                + " exec: \"/etc/passwd\": permission denied")).isTrue();
        assertThat(RuntimeLog.isExecutableNotPermitted("exec container process `/etc`: Permission denied")).isTrue();
        assertThat(RuntimeLog.isExecutableNotPermitted("runc create failed: unable to start container process:"
                + " error during container init: open /proc/self/fd: permission denied")).isFalse();
        assertThat(RuntimeLog.isExecutableNotPermitted("exec: \"x\": executable file not found in $PATH")).isFalse();
    }
}
