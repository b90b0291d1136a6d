package io.cxrpipeline.common;

/**
 * Storage, the index or the job queue cannot be reached or failed: the only "unavailable" exception of the
 * pipeline. Adapters throw it for SDK failures; its message names the dependency and the operation and stays
 * out of responses (the edge logs it with the request id and tells the caller what is unavailable).
 */
public class InfrastructureException extends DomainException {

    private final String resource;
    private final String advice;

    /**
     * @param resource what is unavailable, in the caller's words ("the image index", "the bucket")
     * @param advice   what the caller can do, e.g. "retry with the same clientToken"
     * @param message  what failed, for the log
     */
    public InfrastructureException(String resource, String advice, String message, Throwable cause) {
        super(Kind.UNAVAILABLE, null, message, cause);
        this.resource = resource;
        this.advice = advice;
    }

    public InfrastructureException(String resource, String message, Throwable cause) {
        this(resource, "retrying the same request is safe", message, cause);
    }

    public InfrastructureException(String resource, String message) {
        this(resource, message, null);
    }

    /** What the caller can do about it. */
    public String advice() {
        return advice;
    }

    /** What is unavailable, in the caller's words. */
    public String resource() {
        return resource;
    }
}
