package dev.ocikit.runtime;

/** What a container wrote to its standard output and error, decoded as UTF-8. Immutable. */
public record ContainerLogs(String stdout, String stderr) {}
