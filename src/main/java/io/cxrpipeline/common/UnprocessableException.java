package io.cxrpipeline.common;

/** Well-formed input that the data cannot satisfy. */
public class UnprocessableException extends DomainException {

    public UnprocessableException(String field, String message) {
        super(Kind.UNPROCESSABLE, field, message, null);
    }
}
