package io.cxrpipeline.common;

/** Input that breaks a rule: names the field and the rule. */
public class InvalidInputException extends DomainException {

    public InvalidInputException(String field, String message) {
        super(Kind.INVALID_INPUT, field, message, null);
    }

    public InvalidInputException(String field, String message, Throwable cause) {
        super(Kind.INVALID_INPUT, field, message, cause);
    }
}
