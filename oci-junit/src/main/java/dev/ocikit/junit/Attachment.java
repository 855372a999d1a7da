package dev.ocikit.junit;

import dev.ocikit.runtime.Container;
import dev.ocikit.runtime.ContainerLogs;
import dev.ocikit.runtime.ExecResult;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What an {@link OciContainer} is attached to once started: a container of its own, or a reused one. */
sealed interface Attachment permits OwnAttachment, ReusedAttachment {
    String id();

    String name();

    String host();

    int mappedPort(int containerPort);

    long pid();

    boolean isRunning();

    Optional<Integer> exitCode();

    ExecResult exec(List<String> command) throws IOException, InterruptedException;

    ContainerLogs logs() throws IOException;

    List<String> lastLines();

    boolean awaitLogLines(String regex, int count, Duration timeout) throws InterruptedException;

    ContainerConfig imageConfig();

    Optional<Container> runtimeContainer();

    /** Whether it is a container an earlier run left running. */
    boolean reused();

    /** Ends the attachment: removes an own container; leaves a reused one running. */
    void detach() throws IOException;

    /** After a failed start: removes the container, reused or not. */
    void discard() throws IOException;
}
