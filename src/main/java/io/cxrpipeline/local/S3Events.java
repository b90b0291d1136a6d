package io.cxrpipeline.local;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/** Builds S3 event notifications in the shape AWS delivers them to Lambda (one record per event). */
public final class S3Events {

    // Sequencers grow across restarts: start from the clock, count up from there.
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() * 1000);

    private S3Events() {
    }

    /** The next sequencer: upper-case hex of a fixed width, like S3's, strictly increasing. */
    public static String nextSequencer() {
        return String.format("%018X", SEQUENCE.incrementAndGet());
    }

    /** An ObjectCreated event. */
    public static Map<String, Object> created(String eventName, String bucket, String key, long size, String eTag,
            String sequencer) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("key", encodeKey(key));
        object.put("size", size);
        object.put("eTag", eTag == null ? null : eTag.replace("\"", ""));
        object.put("sequencer", sequencer);
        return event("ObjectCreated:" + eventName, bucket, object);
    }

    /** An ObjectRemoved:Delete event (unversioned bucket: no size, no eTag). */
    public static Map<String, Object> removed(String bucket, String key, String sequencer) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("key", encodeKey(key));
        object.put("sequencer", sequencer);
        return event("ObjectRemoved:Delete", bucket, object);
    }

    /** Keys arrive URL-encoded as S3 encodes them: form encoding ('+' for space), slashes kept. */
    public static String encodeKey(String key) {
        return Arrays.stream(key.split("/", -1)).map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8))
                .collect(Collectors.joining("/"));
    }

    private static Map<String, Object> event(String eventName, String bucket, Map<String, Object> object) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", "us-east-1");
        record.put("eventTime", Instant.now().toString());
        record.put("eventName", eventName);
        record.put("userIdentity", Map.of("principalId", "LOCAL"));
        record.put("requestParameters", Map.of("sourceIPAddress", "127.0.0.1"));
        record.put("responseElements", Map.of("x-amz-request-id", "LOCAL", "x-amz-id-2", "LOCAL"));
        Map<String, Object> s3 = new LinkedHashMap<>();
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "index-objects");
        s3.put("bucket", Map.of("name", bucket, "ownerIdentity", Map.of("principalId", "LOCAL"),
                "arn", "arn:aws:s3:::" + bucket));
        s3.put("object", object);
        record.put("s3", s3);
        return Map.of("Records", List.of(record));
    }
}
