package io.cxrpipeline.splits;

/** The split records could not be read or written (throttled, unreachable): the request may be retried. */
public class SplitStorageException extends RuntimeException {

    public SplitStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
