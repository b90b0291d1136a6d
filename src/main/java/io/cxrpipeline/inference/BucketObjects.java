package io.cxrpipeline.inference;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.inference.ObjectNotFoundException;
import io.cxrpipeline.inference.S3Location;
import io.cxrpipeline.inference.ObjectTooLargeException;

/** Port: read access to the bucket, for images named by {@code s3Uri} and for model files. */
public interface BucketObjects {

    /** Size and entity tag of an object. */
    record ObjectInfo(long size, String etag) {
    }

    /**
     * @throws ObjectNotFoundException when there is no readable object
     * @throws InfrastructureException        when the store cannot be reached
     */
    ObjectInfo stat(S3Location location);

    /**
     * Reads an object whole.
     *
     * @throws ObjectTooLargeException when it is larger than {@code maxBytes} (nothing beyond the header is read)
     * @throws ObjectNotFoundException when there is no readable object
     * @throws InfrastructureException        when the store cannot be reached
     */
    byte[] read(S3Location location, long maxBytes);

    /**
     * Reads an object of {@code size} bytes whole into a direct buffer, off the Java heap (a model read into
     * memory; ONNX Runtime takes the buffer without a copy). The caller frees it ({@link DirectMemory#free}).
     *
     * @throws ObjectNotFoundException when there is no readable object
     * @throws InfrastructureException        when the store cannot be reached, or the object is not {@code size} bytes
     */
    default ByteBuffer readDirect(S3Location location, long size) {
        byte[] bytes = read(location, size);
        if (bytes.length != size) {
            throw new InfrastructureException("storage", location + " is " + bytes.length + " bytes, not " + size);
        }
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /**
     * Streams an object into a file (created or replaced).
     *
     * @throws ObjectNotFoundException when there is no readable object
     * @throws InfrastructureException        when the store cannot be reached or the file cannot be written
     */
    void download(S3Location location, Path target);
}
