package io.cxrpipeline.inference;

import io.cxrpipeline.common.InvalidInputException;

/** Bytes that are not a servable JPEG or PNG image; the message says why, in terms a client can act on. */
public class InvalidImageException extends InvalidInputException {

    public InvalidImageException(String message) {
        super(null, message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
