package io.cxrpipeline.inference;

import io.cxrpipeline.common.NotFoundException;

/** No readable object at the location (missing, or not readable by this function). */
public class ObjectNotFoundException extends NotFoundException {

    public ObjectNotFoundException(S3Location location) {
        super("no object at " + location);
    }
}
