package dev.ocikit.spec.internal;

/**
 * Thrown by a model's constructor when a field is missing or invalid. Code that builds models by
 * hand sees it as an {@link IllegalArgumentException}; {@code Json} turns it into a
 * {@code MalformedDocumentException} that names the document and the field's full JSON pointer.
 */
public final class FieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String problem;

    public FieldException(String field, String problem) {
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
