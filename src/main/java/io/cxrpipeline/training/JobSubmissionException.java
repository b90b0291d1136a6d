package io.cxrpipeline.training;

/** AWS Batch did not take the job; {@link #retryable()} says whether the same request may succeed later. */
public class JobSubmissionException extends RuntimeException {

    private final boolean retryable;

    public JobSubmissionException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True for throttling, service faults and network errors; false when Batch rejected the request itself. */
    public boolean retryable() {
        return retryable;
    }
}
