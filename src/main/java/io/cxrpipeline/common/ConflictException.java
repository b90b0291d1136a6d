package io.cxrpipeline.common;

/** The request contradicts an earlier one. */
public class ConflictException extends DomainException {

    public ConflictException(String field, String message) {
        super(Kind.CONFLICT, field, message, null);
    }
}
