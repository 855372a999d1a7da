package dev.ocikit.runtime.network;

import java.util.Optional;

/**
 * A CNI plugin failed: it exited non-zero, printed a CNI error ({@code {code, msg, details}}), printed
 * something that is not a CNI result, or could not be run at all. Codes follow the CNI spec (1
 * incompatible version, 2 unsupported field, 3 unknown container, 4 invalid environment, 5 I/O,
 * 6 decoding, 7 invalid config, 11 try again later, 50/51 invalid network config / unusable
 * result); {@link #NOT_A_CNI_ERROR} when the plugin did not say.
 */
public final class CniPluginException extends NetworkException {
    /** The code used when the plugin gave no CNI error object (crash, not found, timeout, garbage). */
    public static final int NOT_A_CNI_ERROR = -1;

    private final String plugin;
    private final String command;
    private final int code;
    private final String msg;
    private final String details;

    public CniPluginException(String plugin, String command, int code, String msg, String details, String hint) {
        super("CNI plugin '" + plugin + "' failed on " + command + " (code " + code + "): " + msg
                + (details == null || details.isEmpty() ? "" : " (" + details + ")")
                + (hint == null || hint.isEmpty() ? "" : "; " + hint));
        this.plugin = plugin;
        this.command = command;
        this.code = code;
        this.msg = msg;
        this.details = details == null ? "" : details;
    }

    /** The plugin's type, e.g. {@code bridge}. */
    public String plugin() {
        return plugin;
    }

    /** ADD, DEL, CHECK or VERSION. */
    public String command() {
        return command;
    }

    /** The CNI error code, or {@link #NOT_A_CNI_ERROR}. */
    public int code() {
        return code;
    }

    /** The plugin's own message. */
    public String msg() {
        return msg;
    }

    /** The plugin's details, if it gave any. */
    public Optional<String> details() {
        return details.isEmpty() ? Optional.empty() : Optional.of(details);
    }
}
