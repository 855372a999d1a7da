package dev.ocikit.examples.cli;

import dev.ocikit.spec.ImageReference;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Shows how Podman would read an image name: registry, repository, tag and digest. */
@Command(name = "reference", description = "Normalise image names as Podman reads them.",
        footer = {"", "Examples:", "  ocikit reference busybox quay.io/fedora/fedora:40"})
final class ReferenceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "1..*", description = "image names, e.g. busybox or quay.io/fedora/fedora:40")
    List<String> names;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String name : names) {
            ImageReference ref = ImageReference.parse(name);
            out.printf("%s%n", ref.withDefaultTag());
            out.printf("  registry:   %s%n", ref.domain());
            out.printf("  repository: %s%n", ref.path());
            ref.tag().ifPresent(t -> out.printf("  tag:        %s%n", t));
            ref.digest().ifPresent(d -> out.printf("  digest:     %s%n", d));
            out.printf("  familiar:   %s%n", ref.familiar());
        }
        return 0;
    }
}
