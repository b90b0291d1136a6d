package io.cxrpipeline.training;

/** The run records or the model registry could not be read or written (worth retrying). */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
