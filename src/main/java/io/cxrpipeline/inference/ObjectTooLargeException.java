package io.cxrpipeline.inference;

import io.cxrpipeline.common.TooLargeException;

/** An object larger than the caller accepts. */
public class ObjectTooLargeException extends TooLargeException {

    private final long size;

    public ObjectTooLargeException(S3Location location, long size, long limit) {
        super(null, location + " is " + size + " bytes, over the limit of " + limit);
        this.size = size;
    }

    public long size() {
        return size;
    }
}
