package dev.ocikit.image.signature;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM blocks as Go's {@code encoding/pem} reads and writes them: the first
 * {@code -----BEGIN TYPE-----} line anywhere in the data, optional {@code Key: value} headers,
 * base64 lines, the matching END line. Writing: 64 characters a line, as Go writes.
 */
final class Pem {
    private static final Pattern BEGIN = Pattern.compile("(?m)^-----BEGIN ([\\x21-\\x7e](?:[\\x20-\\x7e]*[\\x21-\\x7e])?)-----[ \\t\\r]*$");

    record Block(String type, byte[] bytes) {}

    private Pem() {}

    /** The first PEM block in the data, if there is a well-formed one. */
    static Optional<Block> first(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        Matcher begin = BEGIN.matcher(text);
        while (begin.find()) {
            String type = begin.group(1);
            String end = "-----END " + type + "-----";
            int endAt = text.indexOf(end, begin.end());
            if (endAt < 0) {
                continue; // as Go: a BEGIN without its END is not a block; look further
            }
            String body = text.substring(begin.end(), endAt);
            StringBuilder base64 = new StringBuilder(body.length());
            boolean headers = body.contains(":");
            for (String line : body.split("\n", -1)) {
                String l = line.strip();
                if (headers && l.contains(":")) {
                    continue; // Proc-Type and friends; no key format here uses them
                }
                if (l.isEmpty()) {
                    headers = false;
                    continue;
                }
                headers = false;
                base64.append(l);
            }
            try {
                return Optional.of(new Block(type, Base64.getDecoder().decode(base64.toString())));
            } catch (IllegalArgumentException e) {
                continue; // Go skips a block whose body is not base64
            }
        }
        return Optional.empty();
    }

    static byte[] encode(String type, byte[] bytes) {
        String base64 = Base64.getEncoder().encodeToString(bytes);
        StringBuilder b = new StringBuilder(base64.length() + 100);
        b.append("-----BEGIN ").append(type).append("-----\n");
        for (int i = 0; i < base64.length(); i += 64) {
            b.append(base64, i, Math.min(base64.length(), i + 64)).append('\n');
        }
        b.append("-----END ").append(type).append("-----\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
