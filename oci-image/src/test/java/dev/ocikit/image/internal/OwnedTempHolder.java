package dev.ocikit.image.internal;

import java.nio.file.Path;

/** Makes a temporary directory and a file in the directory named, prints their paths, then waits to be killed. */
public final class OwnedTempHolder {
    private OwnedTempHolder() {}

    public static void main(String[] args) throws Exception {
        OwnedTemp dir = OwnedTemp.directory(Path.of(args[0]), "held-");
        OwnedTemp file = OwnedTemp.file(Path.of(args[0]), "held-", ".partial");
        System.out.println(dir.path());
        System.out.println(file.path());
        System.out.flush();
        System.in.read(); // until killed
    }
}
