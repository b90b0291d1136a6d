package io.cxrpipeline.inference;

/** Bytes that are not a servable JPEG or PNG image; the message says why, in terms a client can act on. */
public class InvalidImageException extends RuntimeException {

    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
