package dev.ocikit.spec;

/**
 * A model built with a field that is missing or invalid. Code that builds models by hand sees
 * this; reading JSON turns it into a {@link MalformedDocumentException} that names the document
 * and the field's full JSON pointer.
 */
public final class InvalidFieldException extends OciException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String problem;

    public InvalidFieldException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The field's name relative to the object being built, or empty for the object itself. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
