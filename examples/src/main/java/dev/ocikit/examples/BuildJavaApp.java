package dev.ocikit.examples;

import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.image.build.JavaLayers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * A runnable sample, the build plugin's view: a Java application's jars, resources and classes
 * become an image on top of a Java base, one layer per group (as Jib lays them out), written
 * straight to a registry or any transport. A code change rebuilds and re-pushes only the classes
 * layer; the same inputs give the same digest.
 *
 * <pre>java -cp ocikit.jar dev.ocikit.examples.BuildJavaApp BASE LIBS_DIR CLASSES_DIR MAIN_CLASS DESTINATION
 *   e.g. BuildJavaApp docker://docker.io/library/eclipse-temurin:21-jre target/libs target/classes \
 *        com.example.Main docker://registry.example.com/team/app:1</pre>
 */
public final class BuildJavaApp {
    private BuildJavaApp() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: BuildJavaApp BASE LIBS_DIR CLASSES_DIR MAIN_CLASS DESTINATION");
            System.exit(2);
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(Path.of(args[1]))) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        JavaLayers app = JavaLayers.app()
                .withDependencies(jars)                 // release jars and -SNAPSHOT jars: two layers
                .withClasses(Path.of(args[2]))
                .withMainClass(args[3])
                .withJvmFlags(List.of("-XX:MaxRAMPercentage=75"));
        BuiltImage image = ImageBuilder.from(args[0])   // any transport: docker://, oci:, the store...
                .javaApp(app)
                .timestamp(Instant.EPOCH)               // reproducible: no build time in the image
                .commit(args[4]);
        System.out.println("wrote " + image.destination().transport().name() + ":"
                + image.destination().withinTransport() + " as " + image.digest());
    }
}
