package io.cxrpipeline.splits;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where manifests, summaries and reports are written (the bucket under {@code manifests/}).
 *
 * <p>Writes stream: an implementation holds at most a bounded buffer per open object, whatever its size.
 */
public interface ManifestStore {

    /**
     * Opens an object for writing; it is stored when the stream is closed. A write that failed half-way may
     * leave an incomplete object: a split's files count only once the split is recorded in the
     * {@link SplitRepository}, and a retry overwrites them with the same bytes.
     *
     * @param key         the object key, e.g. {@code manifests/chest_xray/0f3a.../train.jsonl}
     * @param contentType the media type to store with it
     * @throws IOException when the store cannot be written
     */
    OutputStream create(String key, String contentType) throws IOException;

    /** The URI clients use for a key, e.g. {@code s3://bucket/key}. */
    String uri(String key);
}
