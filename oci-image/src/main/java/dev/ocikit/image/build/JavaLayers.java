package dev.ocikit.image.build;

import dev.ocikit.image.AddedFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Java application laid out the way Jib lays it out, for {@link ImageBuilder#javaApp}: one
 * layer per group that changes at its own pace (release dependencies, snapshot dependencies,
 * resources, classes), so that a code change rebuilds and re-pushes only the small classes
 * layer. Files are recorded as owned by root and dated 1970-01-01T00:00:01Z, as Jib does, so
 * that a layer's digest depends on the files' bytes and names only. Immutable.
 *
 * <p>Layout under {@link #appRoot()} ({@code /app} by default): {@code libs/} (both dependency
 * groups), {@code resources/}, {@code classes/}; the entrypoint, when a main class is given, is
 * {@code java [jvmFlags] -cp <appRoot>/resources:<appRoot>/classes:<appRoot>/libs/* <mainClass>}.
 *
 * @param dependencies release jars
 * @param snapshotDependencies jars that change between builds ({@code -SNAPSHOT} versions)
 * @param resources the resources directory, if any
 * @param classes the compiled classes directory, if any
 * @param appRoot where the application goes in the image
 * @param mainClass the class to run; no entrypoint is set without one
 * @param jvmFlags flags for {@code java} before the class path
 */
public record JavaLayers(List<Path> dependencies, List<Path> snapshotDependencies, Optional<Path> resources,
        Optional<Path> classes, String appRoot, Optional<String> mainClass, List<String> jvmFlags) {
    /** Jib's file time: one second after the epoch (some tools treat 0 as "unset"). */
    static final Instant FILE_TIME = Instant.ofEpochSecond(1);

    public JavaLayers {
        dependencies = List.copyOf(dependencies);
        snapshotDependencies = List.copyOf(snapshotDependencies);
        resources = resources == null ? Optional.empty() : resources;
        classes = classes == null ? Optional.empty() : classes;
        Objects.requireNonNull(appRoot, "appRoot");
        if (!appRoot.startsWith("/")) {
            throw new IllegalArgumentException("appRoot must be absolute: " + appRoot);
        }
        mainClass = mainClass == null ? Optional.empty() : mainClass;
        jvmFlags = List.copyOf(jvmFlags);
    }

    /** An application under {@code /app} with nothing in it yet. */
    public static JavaLayers app() {
        return new JavaLayers(List.of(), List.of(), Optional.empty(), Optional.empty(), "/app", Optional.empty(),
                List.of());
    }

    /** The same with these jars, sorted into release and snapshot groups by their names. */
    public JavaLayers withDependencies(List<Path> jars) {
        List<Path> release = new ArrayList<>(dependencies);
        List<Path> snapshots = new ArrayList<>(snapshotDependencies);
        for (Path jar : jars) {
            (jar.getFileName().toString().contains("-SNAPSHOT") ? snapshots : release).add(jar);
        }
        return new JavaLayers(release, snapshots, resources, classes, appRoot, mainClass, jvmFlags);
    }

    public JavaLayers withResources(Path directory) {
        return new JavaLayers(dependencies, snapshotDependencies, Optional.of(directory), classes, appRoot, mainClass,
                jvmFlags);
    }

    public JavaLayers withClasses(Path directory) {
        return new JavaLayers(dependencies, snapshotDependencies, resources, Optional.of(directory), appRoot, mainClass,
                jvmFlags);
    }

    public JavaLayers withAppRoot(String path) {
        return new JavaLayers(dependencies, snapshotDependencies, resources, classes, path, mainClass, jvmFlags);
    }

    public JavaLayers withMainClass(String name) {
        return new JavaLayers(dependencies, snapshotDependencies, resources, classes, appRoot, Optional.of(name),
                jvmFlags);
    }

    public JavaLayers withJvmFlags(List<String> flags) {
        return new JavaLayers(dependencies, snapshotDependencies, resources, classes, appRoot, mainClass, flags);
    }

    /** One layer's worth of files. */
    record Group(String name, String destination, List<AddedFile> files) {}

    /** The non-empty groups, in the order their layers go (least often changed first). */
    List<Group> groups() {
        List<Group> out = new ArrayList<>();
        jars(out, "dependencies", dependencies);
        jars(out, "snapshot-dependencies", snapshotDependencies);
        resources.ifPresent(d -> out.add(new Group("resources", appRoot + "/resources",
                List.of(fixed(AddedFile.of(d, appRoot + "/resources"))))));
        classes.ifPresent(d -> out.add(new Group("classes", appRoot + "/classes",
                List.of(fixed(AddedFile.of(d, appRoot + "/classes"))))));
        return out;
    }

    private void jars(List<Group> out, String name, List<Path> jars) {
        if (jars.isEmpty()) {
            return;
        }
        List<AddedFile> files = new ArrayList<>();
        for (Path jar : jars) {
            files.add(fixed(AddedFile.of(jar, appRoot + "/libs/" + jar.getFileName())));
        }
        out.add(new Group(name, appRoot + "/libs/", files));
    }

    private static AddedFile fixed(AddedFile f) {
        return f.withOwner(0, 0).withMtime(FILE_TIME);
    }

    /** The entrypoint for {@link #mainClass()}. */
    List<String> entrypoint() {
        List<String> cmd = new ArrayList<>();
        cmd.add("java");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(appRoot + "/resources:" + appRoot + "/classes:" + appRoot + "/libs/*");
        cmd.add(mainClass.orElseThrow());
        return cmd;
    }
}
