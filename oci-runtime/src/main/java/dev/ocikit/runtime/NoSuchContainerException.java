package dev.ocikit.runtime;

/** No container of that id or name is known to this runtime root. */
public final class NoSuchContainerException extends ContainerException {
    public NoSuchContainerException(String idOrName) {
        super("no container with id or name \"" + idOrName + "\"");
    }
}
