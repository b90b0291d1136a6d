package io.cxrpipeline.inference;

/** An object larger than the caller accepts. */
public class ObjectTooLargeException extends StorageException {

    private final long size;

    public ObjectTooLargeException(S3Location location, long size, long limit) {
        super(location + " is " + size + " bytes, over the limit of " + limit);
        this.size = size;
    }

    public long size() {
        return size;
    }
}
