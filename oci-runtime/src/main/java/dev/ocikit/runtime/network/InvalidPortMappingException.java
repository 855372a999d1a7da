package dev.ocikit.runtime.network;

/** A port mapping (for example a {@code -p} argument) is malformed or asks for something unsupported. */
public final class InvalidPortMappingException extends NetworkException {
    private final String input;

    public InvalidPortMappingException(String input, String problem) {
        super("invalid port mapping '" + input + "': " + problem
                + "; expected [[hostIp:][hostPort]:]containerPort[/tcp|/udp], e.g. 8080, 18080:8080 or 127.0.0.1:18080:8080/udp");
        this.input = input;
    }

    /** The text or value that was refused. */
    public String input() {
        return input;
    }
}
