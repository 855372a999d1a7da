package dev.ocikit.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ocikit.spec.image.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryPrefetchTest {
    private static final PackContext CONTEXT = new PackContext(
            PackOptions.newBuilder().compression(Compression.NONE).build());

    @TempDir
    Path tmp;

    @Test
    void aListingMadeAheadHoldsEachEntryWithItsLstatAndStartsTheSubdirectoriesListings() throws IOException {
        Files.createDirectories(tmp.resolve("a/b/c"));
        Files.writeString(tmp.resolve("a/file"), "12345");
        Files.createSymbolicLink(tmp.resolve("a/link"), Path.of("b"));
        DirectoryPrefetch prefetch = new DirectoryPrefetch();

        prefetch.ahead(tmp.resolve("a"), p -> false);
        List<DirectoryPrefetch.Child> a = prefetch.take(tmp.resolve("a"));

        assertThat(a).extracting(DirectoryPrefetch.Child::name).containsExactlyInAnyOrder("b", "file", "link");
        DirectoryPrefetch.Child file = a.stream().filter(c -> c.name().equals("file")).findFirst().orElseThrow();
        assertThat(file.path()).isEqualTo(tmp.resolve("a/file"));
        assertThat(file.meta().isRegular()).isTrue();
        assertThat(file.meta().size()).isEqualTo(5);
        DirectoryPrefetch.Child link = a.stream().filter(c -> c.name().equals("link")).findFirst().orElseThrow();
        assertThat(link.meta().type()).as("the symlink itself, not what it points to").isEqualTo(FileMeta.S_IFLNK);
        // "a" listed "b" ahead in turn (not the symlink to it), and "b" listed "c"
        assertThat(prefetch.take(tmp.resolve("a/b"))).extracting(DirectoryPrefetch.Child::name).containsExactly("c");
        assertThat(prefetch.take(tmp.resolve("a/b/c"))).isEmpty();
        assertThat(prefetch.take(tmp.resolve("a/b/c"))).as("taken once").isNull();
        assertThat(prefetch.taken()).isEqualTo(3);
    }

    @Test
    void excludedSubdirectoriesAreNotListedAhead() throws IOException {
        Files.createDirectories(tmp.resolve("a/kept"));
        Files.createDirectories(tmp.resolve("a/left-out"));
        DirectoryPrefetch prefetch = new DirectoryPrefetch();

        prefetch.ahead(tmp.resolve("a"), p -> p.getFileName().toString().equals("left-out"));
        prefetch.take(tmp.resolve("a"));

        assertThat(prefetch.take(tmp.resolve("a/kept"))).isEmpty();
        assertThat(prefetch.take(tmp.resolve("a/left-out"))).isNull();
    }

    @Test
    void aDirectoryBeyondTheBudgetOrThatCannotBeListedIsLeftToTheWalk() throws IOException {
        Path big = Files.createDirectories(tmp.resolve("big"));
        for (int i = 0; i < 5; i++) {
            Files.createFile(big.resolve("f" + i));
        }
        DirectoryPrefetch prefetch = new DirectoryPrefetch(4);

        prefetch.ahead(big, p -> false);
        prefetch.ahead(tmp.resolve("missing"), p -> false);

        assertThat(prefetch.take(big)).isNull();
        assertThat(prefetch.take(tmp.resolve("missing"))).isNull();
        assertThat(prefetch.taken()).isZero();
    }

    @Test
    void budgetComesBackAsListingsAreTaken() throws IOException {
        Files.createDirectories(tmp.resolve("one/x"));
        Files.createDirectories(tmp.resolve("two/y"));
        DirectoryPrefetch prefetch = new DirectoryPrefetch(1);

        prefetch.ahead(tmp.resolve("one"), p -> false);
        assertThat(prefetch.take(tmp.resolve("one"))).hasSize(1);
        prefetch.take(tmp.resolve("one/x")); // listed ahead too, or left to the walk: either way its room is back
        prefetch.ahead(tmp.resolve("two"), p -> false);

        assertThat(prefetch.take(tmp.resolve("two"))).hasSize(1);
    }

    @Test
    void closedItListsNothingMore() throws IOException {
        Files.createDirectories(tmp.resolve("a"));
        DirectoryPrefetch prefetch = new DirectoryPrefetch();
        prefetch.close();

        prefetch.ahead(tmp.resolve("a"), p -> false);

        assertThat(prefetch.take(tmp.resolve("a"))).isNull();
    }

    @Test
    void theWalkTakesListingsMadeAheadAndEmitsTheSameEntriesAsWithout() throws IOException {
        for (String d : List.of("usr/bin", "usr/lib/x", "usr/share/doc/a", "usr/share/doc/b", "etc")) {
            Files.createDirectories(tmp.resolve(d));
            Files.writeString(tmp.resolve(d).resolve("f"), d);
        }
        TreeWalk walk = LayerContent.directory(tmp).walk(CONTEXT);

        List<String> names = new ArrayList<>();
        for (Optional<PackEntry> e; (e = walk.next()).isPresent(); ) {
            names.add(e.get().name());
        }

        assertThat(names).containsExactly("etc", "etc/f", "usr", "usr/bin", "usr/bin/f", "usr/lib", "usr/lib/x",
                "usr/lib/x/f", "usr/share", "usr/share/doc", "usr/share/doc/a", "usr/share/doc/a/f", "usr/share/doc/b",
                "usr/share/doc/b/f");
        // Every directory below the root was listed ahead: the walk listed only the root itself.
        assertThat(walk.prefetch().taken()).isEqualTo(9);
    }
}
