package io.cxrpipeline.common;

/** Input larger than allowed. */
public class TooLargeException extends DomainException {

    public TooLargeException(String field, String message) {
        super(Kind.TOO_LARGE, field, message, null);
    }
}
