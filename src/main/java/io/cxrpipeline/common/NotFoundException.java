package io.cxrpipeline.common;

/** The dataset, split, run or object named by the request does not exist. */
public class NotFoundException extends DomainException {

    public NotFoundException(String message) {
        super(Kind.NOT_FOUND, null, message, null);
    }

    public NotFoundException(String field, String message) {
        super(Kind.NOT_FOUND, field, message, null);
    }
}
