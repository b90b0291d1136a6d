package io.cxrpipeline.ingest;

import java.util.List;
import java.util.Map;
import io.cxrpipeline.common.InfrastructureException;

/**
 * Reads the few bytes of an object that indexing needs, and lists a dataset for reindexing.
 * Implementations map their client's failures to {@link InfrastructureException}.
 */
public interface SourceObjects {

    /**
     * Bytes of one version of an object.
     *
     * @param bytes    the bytes read (fewer than asked when the object is shorter)
     * @param size     the object's full size
     * @param eTag     the object's ETag, without quotes
     * @param metadata the object's user metadata, names lower-case without {@code x-amz-meta-}
     */
    record Bytes(byte[] bytes, long size, String eTag, Map<String, String> metadata) {
    }

    /** One object of a listing; {@code eTag} without quotes. */
    record Entry(String key, long size, String eTag) {
    }

    /** A page of a listing in key order; {@code truncated} when more keys follow the last one. */
    record Listing(List<Entry> entries, boolean truncated) {
    }

    /**
     * Reads {@code length} bytes from offset {@code start} (a ranged GET).
     *
     * @param eTag when not null, read only if the object still has this ETag
     * @return the bytes, or null when the object does not exist or no longer has {@code eTag}
     */
    Bytes read(String bucket, String key, String eTag, long start, int length);

    /**
     * Reads the last {@code length} bytes (a suffix-ranged GET).
     *
     * @return the bytes, or null when the object does not exist or no longer has {@code eTag}
     */
    Bytes readTail(String bucket, String key, String eTag, int length);

    /** Lists up to {@code maxKeys} objects under {@code prefix} whose keys sort after {@code startAfter}. */
    Listing list(String bucket, String prefix, String startAfter, int maxKeys);
}
