package io.cxrpipeline.inference;

/** No readable object at the location (missing, or not readable by this function). */
public class ObjectNotFoundException extends StorageException {

    public ObjectNotFoundException(S3Location location) {
        super("no object at " + location);
    }
}
