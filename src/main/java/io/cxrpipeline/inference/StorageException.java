package io.cxrpipeline.inference;

/** The object store or the registry failed (unreachable, throttled, denied); the request may be retried. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
