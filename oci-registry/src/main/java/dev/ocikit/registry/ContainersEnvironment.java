package dev.ocikit.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of the process environment the containers configuration files depend on:
 * {@code HOME}, {@code XDG_RUNTIME_DIR}, {@code XDG_CONFIG_HOME}, {@code XDG_CACHE_HOME},
 * {@code REGISTRY_AUTH_FILE}, {@code DOCKER_CONFIG}, {@code PATH} (to find credential helpers)
 * and whether the process runs as root. It is the ONE place ocikit reads these variables:
 * {@link #system()} takes them from the real process, {@link #of(Map)} from a map, so tests and
 * embedding applications never depend on the real environment. Immutable and thread-safe.
 */
public final class ContainersEnvironment {
    private final Map<String, String> variables;
    private final java.util.OptionalInt uid;

    private ContainersEnvironment(Map<String, String> variables, java.util.OptionalInt uid) {
        this.variables = Map.copyOf(variables);
        this.uid = uid;
    }

    /** The real process environment and user id. */
    public static ContainersEnvironment system() {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putIfAbsent("HOME", System.getProperty("user.home", "/"));
        return new ContainersEnvironment(env, processUid());
    }

    /**
     * Exactly these variables, for a user whose id is unknown (so not root, and without the
     * per-uid {@code /run/containers/<uid>/auth.json}); see {@link #asUser(int)}.
     */
    public static ContainersEnvironment of(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables");
        return new ContainersEnvironment(variables, java.util.OptionalInt.empty());
    }

    /** This environment for the process user {@code uid} (0 is root). */
    public ContainersEnvironment asUser(int uid) {
        return new ContainersEnvironment(variables, java.util.OptionalInt.of(uid));
    }

    /** The user id of the process, when known. */
    public java.util.OptionalInt uid() {
        return uid;
    }

    /** This environment with one variable set (or removed, when {@code value} is null). */
    public ContainersEnvironment with(String name, String value) {
        Map<String, String> copy = new java.util.HashMap<>(variables);
        if (value == null) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return new ContainersEnvironment(copy, uid);
    }

    /** A variable, absent when unset or empty (the containers tools treat both alike). */
    public Optional<String> get(String name) {
        String v = variables.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /** Whether the process is root, which moves some per-user files to system locations. */
    public boolean isRoot() {
        return uid.isPresent() && uid.getAsInt() == 0;
    }

    /** All variables, for the environment of helper processes. */
    Map<String, String> variables() {
        return variables;
    }

    /** {@code $HOME}, or {@code /} when unset. */
    public Path home() {
        return Path.of(get("HOME").orElse("/"));
    }

    /** {@code $XDG_CONFIG_HOME}, defaulting to {@code $HOME/.config}. */
    public Path configHome() {
        return get("XDG_CONFIG_HOME").map(Path::of).orElse(home().resolve(".config"));
    }

    /** {@code $XDG_CACHE_HOME}, defaulting to {@code $HOME/.cache}. */
    public Path cacheHome() {
        return get("XDG_CACHE_HOME").map(Path::of).orElse(home().resolve(".cache"));
    }

    /** The directories of {@code $PATH}, in order. */
    public java.util.List<Path> path() {
        java.util.List<Path> dirs = new java.util.ArrayList<>();
        for (String d : get("PATH").orElse("").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        return java.util.List.copyOf(dirs);
    }

    private static java.util.OptionalInt processUid() {
        try {
            Object id = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return id instanceof Integer i ? java.util.OptionalInt.of(i) : java.util.OptionalInt.empty();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /** Lists only the variable names, never values (a path could be private). */
    @Override
    public String toString() {
        return "ContainersEnvironment[" + new java.util.TreeSet<>(variables.keySet()) + (uid.isPresent() ? ", uid " + uid.getAsInt() + "]" : "]");
    }
}
