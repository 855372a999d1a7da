package dev.ocikit.spec;

/**
 * A JSON document (manifest, index, config, runtime spec, registry response …) that is not valid
 * for what it claims to be. The message names the document kind, the field as a JSON pointer and
 * what was wrong with it.
 */
public class MalformedDocumentException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String document;
    private final String field;

    public MalformedDocumentException(String document, String field, String problem) {
        this(document, field, problem, null);
    }

    public MalformedDocumentException(String document, String field, String problem, Throwable cause) {
        super("invalid " + document + (field.isEmpty() ? "" : " at " + field) + ": " + problem, cause);
        this.document = document;
        this.field = field;
    }

    /** What kind of document was being read, for example {@code "image manifest"}. */
    public String document() {
        return document;
    }

    /** The offending field as a JSON pointer ({@code /layers/0/digest}); empty for the whole document. */
    public String field() {
        return field;
    }
}
