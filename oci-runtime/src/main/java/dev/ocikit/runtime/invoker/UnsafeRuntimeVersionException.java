package dev.ocikit.runtime.invoker;

import dev.ocikit.spec.OciException;

/**
 * The runtime is older than the fix of a container-escape CVE (or its version cannot be
 * verified), so ocikit refuses to start containers with it. The message names the CVE and the
 * minimum version; upgrade the runtime, or, for a runtime ocikit does not know, opt in with
 * {@link RuntimeCli#allowUnverifiedVersion()}.
 */
public class UnsafeRuntimeVersionException extends OciException {
    public UnsafeRuntimeVersionException(String message) {
        super(message);
    }
}
