package io.cxrpipeline.common;

/**
 * A request the pipeline cannot serve, said in the domain's terms: which kind of failure, the input at fault,
 * and a message safe to show to the caller. The HTTP edge maps the kind to a status; cores never see HTTP.
 */
public abstract class DomainException extends RuntimeException {

    /** What went wrong, from the caller's point of view. */
    public enum Kind {
        /** The input breaks a rule; {@link #field()} names it. */
        INVALID_INPUT,
        /** The named dataset, split, run or object does not exist. */
        NOT_FOUND,
        /** The request contradicts an earlier one (e.g. a reused idempotency token). */
        CONFLICT,
        /** The input is well-formed but the data cannot satisfy it (e.g. too few groups for a split). */
        UNPROCESSABLE,
        /** The input is larger than allowed. */
        TOO_LARGE,
        /** A dependency (storage, index, job queue) or the model is not available right now; retrying is safe. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String field;

    protected DomainException(Kind kind, String field, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
