package io.cxrpipeline.ingest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * One S3 event, decoded: the key as stored in S3, the sequencer in its normalised form.
 *
 * @param sequencer {@link Sequencers#normalise normalised}, null when the event carries none
 */
public record ObjectEvent(Kind kind, String eventName, String eventTime, String bucket, String key, Long size,
        String eTag, String sequencer, String versionId) {

    /** What happened to the object. */
    public enum Kind {
        CREATED, REMOVED, OTHER
    }

    /**
     * Decodes a record of an S3 event notification.
     *
     * @throws IllegalArgumentException when the record lacks the bucket or key, or the key or sequencer is malformed
     */
    public static ObjectEvent from(S3EventNotification.Record r) {
        if (r.s3() == null || r.s3().bucket() == null || r.s3().object() == null || r.s3().object().key() == null
                || r.s3().bucket().name() == null) {
            throw new IllegalArgumentException("record has no s3.bucket.name or s3.object.key");
        }
        String name = r.eventName() == null ? "" : r.eventName();
        // eventName reads "ObjectCreated:Put" in Lambda events; older shapes and other sources may prefix "s3:".
        String bare = name.startsWith("s3:") ? name.substring(3) : name;
        Kind kind = bare.startsWith("ObjectCreated:") ? Kind.CREATED
                : bare.startsWith("ObjectRemoved:") ? Kind.REMOVED : Kind.OTHER;
        S3EventNotification.S3Object o = r.s3().object();
        return new ObjectEvent(kind, name, r.eventTime(), r.s3().bucket().name(), decodeKey(o.key()), o.size(),
                unquote(o.eTag()), Sequencers.normalise(o.sequencer()), o.versionId());
    }

    /**
     * Decodes a key as S3 event notifications encode it: form-URL-encoding, so {@code +} is a space,
     * {@code %2B} a plus sign and non-ASCII characters are percent-encoded UTF-8.
     *
     * @throws IllegalArgumentException on a malformed escape
     */
    public static String decodeKey(String encoded) {
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }

    /** ETags come quoted in HTTP headers and bare in events: the index keeps them bare. */
    public static String unquote(String eTag) {
        if (eTag == null || eTag.isBlank()) {
            return null;
        }
        String t = eTag.trim();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        return t;
    }
}
