package dev.ocikit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ocikit.examples.Run.ocikit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.ocikit.examples.ImageFromDirectory;

class OcikitCliTest {
    @TempDir
    Path tmp;


    @Test
    void helpListsTheCommands() {
        Run r = ocikit("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("reference", "validate");
    }

    @Test
    void referenceNormalisesAsPodmanDoes() {
        Run r = ocikit("reference", "busybox");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("docker.io/library/busybox:latest").contains("familiar:   busybox");
    }

    @Test
    void badReferenceIsAnErrorNotAStackTrace() {
        Run r = ocikit("reference", "a//b");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err()).startsWith("Error: invalid image reference").doesNotContain("Exception");
    }

    @Test
    void validateNamesTheDocumentAndRefusesSchema1() throws IOException {
        Path manifest = Files.writeString(tmp.resolve("m.json"), """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json",
                 "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
                 "layers":[]}""");
        Run ok = ocikit("validate", manifest.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("image manifest (application/vnd.oci.image.manifest.v1+json), sha256:", "0 layers");

        Path schema1 = Files.writeString(tmp.resolve("s1.json"), "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"fsLayers\":[]}");
        Run bad = ocikit("validate", schema1.toString());
        assertThat(bad.exit()).isEqualTo(125);
        assertThat(bad.err()).contains("schema 1", "Re-push");
    }

    @Test
    void packLayerIsReproducible() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tree/etc"));
        Files.writeString(dir.resolve("hostname"), "box\n");
        Run first = ocikit("pack-layer", "--timestamp", "0", tmp.resolve("tree").toString(), tmp.resolve("a.tgz").toString());
        Files.setLastModifiedTime(dir.resolve("hostname"), java.nio.file.attribute.FileTime.fromMillis(123456789000L));
        Run second = ocikit("pack-layer", "--timestamp", "0", tmp.resolve("tree").toString(), tmp.resolve("b.tgz").toString());
        assertThat(first.exit()).isZero();
        assertThat(first.out()).startsWith("application/vnd.oci.image.layer.v1.tar+gzip sha256:");
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(Files.readAllBytes(tmp.resolve("b.tgz"))).isEqualTo(Files.readAllBytes(tmp.resolve("a.tgz")));
        // created as any new file is, the umask applied, as tar's output is (not 0600 like a temporary file)
        Path plain = Files.createFile(tmp.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(tmp.resolve("a.tgz"))).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void copyRefusesAnUnknownTransportWithTheKnownOnes() {
        Run r = ocikit("copy", "quay.io/x/y:1", "oci:/tmp/nowhere");
        assertThat(r.exit()).as("skopeo's exit code").isEqualTo(1);
        assertThat(r.err()).contains("unknown transport 'quay.io/x/y'", "docker://", "oci-archive");
    }

    @Test
    void pullNamesWhatItStoresAsPodmanDoes() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app/etc"));
        Files.writeString(app.resolve("greeting"), "hi\n");
        Path layout = tmp.resolve("layout");
        ImageFromDirectory.main(new String[] {tmp.resolve("app").toString(), layout.toString(), "v1"});
        String oci = "oci:" + layout + ":v1";
        assertThat(ocikit("copy", "-q", oci, "docker-archive:" + tmp.resolve("d.tar") + ":foo/bar:v2").exit()).isZero();
        assertThat(ocikit("copy", "-q", oci, "oci-archive:" + tmp.resolve("o.tar") + ":myname:1.0").exit()).isZero();
        assertThat(ocikit("copy", "-q", oci, "dir:" + tmp.resolve("dir")).exit()).isZero();
        String root = tmp.resolve("store").toString();

        // podman 4.3 names them so: a layout after its path (not its tag), an archive after the name it records
        for (String source : List.of(oci, "oci:" + layout, "docker-archive:" + tmp.resolve("d.tar"),
                "oci-archive:" + tmp.resolve("o.tar"), "dir:" + tmp.resolve("dir"))) {
            Run pulled = ocikit("--root", root, "pull", "-q", source);
            assertThat(pulled.exit()).as(source + ": " + pulled.err()).isZero();
            assertThat(pulled.out()).matches("[0-9a-f]{64}\n");
        }

        List<String> names = ocikit("--root", root, "images").out().lines().skip(1)
                .map(l -> l.split(" +")[0] + ":" + l.split(" +")[1]).toList();
        assertThat(names).containsExactlyInAnyOrder("localhost" + layout + ":latest", "docker.io/foo/bar:v2",
                "localhost/myname:1.0"); // the dir: image adds no name (and is the same image)
    }

    @Test
    void saveAndLoadCarryImagesWithTheirNamesAsPodmansDo() throws Exception {
        for (String name : List.of("one", "two")) {
            Path app = Files.createDirectories(tmp.resolve(name + "/etc"));
            Files.writeString(app.resolve("name"), name + "\n");
            ImageFromDirectory.main(new String[] {tmp.resolve(name).toString(), tmp.resolve("layout-" + name).toString(), "v1"});
            assertThat(ocikit("--root", tmp.resolve("a").toString(), "copy", "-q", "oci:" + tmp.resolve("layout-" + name) + ":v1",
                    "ocikit:" + name + ":1").exit()).isZero();
        }
        String a = tmp.resolve("a").toString();
        String b = tmp.resolve("b").toString();
        String one = ocikit("--root", a, "images", "-q").out().lines().findFirst().orElseThrow();

        assertThat(ocikit("--root", a, "save", "-m", "-o", tmp.resolve("m.tar").toString(), "one:1", "two:1").exit()).isZero();
        assertThat(ocikit("--root", a, "save", "-o", tmp.resolve("t.tar").toString(), "one:1", "also:2").exit()).isZero();
        assertThat(ocikit("--root", a, "save", "--format", "oci-archive", "-o", tmp.resolve("o.tar").toString(), "two:1").exit())
                .isZero();
        Run multi = ocikit("--root", b, "load", "-i", tmp.resolve("m.tar").toString());
        Run tags = ocikit("--root", b, "load", "-q", "-i", tmp.resolve("t.tar").toString());
        Run oci = ocikit("--root", b, "load", "-i", tmp.resolve("o.tar").toString());

        assertThat(multi.out()).isEqualTo("Loaded image: localhost/one:1\nLoaded image: localhost/two:1\n");
        assertThat(tags.out()).isEmpty();
        assertThat(oci.out()).isEqualTo("Loaded image: localhost/two:1\n");
        List<String> names = ocikit("--root", b, "images").out().lines().skip(1)
                .map(l -> l.split(" +")[0] + ":" + l.split(" +")[1]).toList();
        assertThat(names).contains("localhost/one:1", "localhost/two:1", "localhost/also:2");
        assertThat(ocikit("--root", b, "images", "-q").out()).contains(one);
        // a save that fails leaves the archive it would have replaced as it was
        byte[] before = Files.readAllBytes(tmp.resolve("t.tar"));
        assertThat(ocikit("--root", a, "save", "-o", tmp.resolve("t.tar").toString(), "nosuch:1").exit()).isNotZero();
        assertThat(Files.readAllBytes(tmp.resolve("t.tar"))).isEqualTo(before);
        // and an unpack refused for a bundle already there leaves that bundle alone
        Path bundle = tmp.resolve("bundle");
        assertThat(ocikit("--root", a, "unpack", "ocikit:one:1", bundle.toString()).exit()).isZero();
        assertThat(ocikit("--root", a, "unpack", "ocikit:one:1", bundle.toString()).exit()).isNotZero();
        assertThat(bundle.resolve("rootfs/etc/name")).hasContent("one");
        assertThat(bundle.resolve("config.json")).exists();
        Run notMulti = ocikit("--root", a, "save", "--format", "oci-archive", "-m", "-o", tmp.resolve("x.tar").toString(), "one:1");
        assertThat(notMulti.exit()).isNotZero();
        assertThat(notMulti.err()).contains("only supported with --format docker-archive");
    }

    @Test
    void storeCommandsWorkAsPodmansDo() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app/etc"));
        Files.writeString(app.resolve("greeting"), "hi\n");
        ImageFromDirectory.main(new String[] {tmp.resolve("app").toString(), tmp.resolve("layout").toString(), "v1"});
        String root = tmp.resolve("store").toString();
        assertThat(ocikit("--root", root, "copy", "-q", "oci:" + tmp.resolve("layout") + ":v1", "ocikit:myapp:1").exit()).isZero();
        assertThat(ocikit("--root", root, "tag", "myapp:1", "quay.io/me/app:2").exit()).isZero();
        Run images = ocikit("--root", root, "images");
        assertThat(images.out()).contains("localhost/myapp", "quay.io/me/app").containsPattern("REPOSITORY +TAG +IMAGE ID");
        Run ambiguous = ocikit("--root", root, "rmi", images.out().lines().skip(1).findFirst().orElseThrow().split(" +")[2]);
        assertThat(ambiguous.exit()).isEqualTo(125);
        assertThat(ocikit("--root", root, "rmi", "myapp:1").out()).isEqualTo("Untagged: localhost/myapp:1\n");
        assertThat(ocikit("--root", root, "rmi", "quay.io/me/app:2").out()).startsWith("Untagged: quay.io/me/app:2\nDeleted: ");
        assertThat(ocikit("--root", root, "images", "-q").out()).isEmpty();
    }
}
