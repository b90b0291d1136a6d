package io.cxrpipeline.local;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds S3 event notifications in the shape AWS delivers them to Lambda, for the local stack's S3 and for the
 * tests (the same shape as the fixtures under {@code src/test/resources/events/}).
 */
public final class S3Events {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    // Sequencers grow across restarts: start from the clock, count up from there.
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() * 1000);

    private S3Events() {
    }

    /** The next sequencer: upper-case hex of a fixed width, like S3's, strictly increasing in this JVM. */
    public static String nextSequencer() {
        return String.format("%018X", SEQUENCE.incrementAndGet());
    }

    /** An {@code ObjectCreated:<eventName>} record ({@code Put}, {@code Copy}, {@code CompleteMultipartUpload}). */
    public static ObjectNode created(String eventName, String bucket, String key, long size, String eTag,
            String sequencer) {
        ObjectNode object = JSON.objectNode().put("key", encodeKey(key)).put("size", size)
                .put("eTag", eTag == null ? null : eTag.replace("\"", "")).put("sequencer", sequencer);
        return record("ObjectCreated:" + eventName, bucket, object);
    }

    /** An {@code ObjectCreated:Put} record. */
    public static ObjectNode putRecord(String bucket, String key, long size, String eTag, String sequencer) {
        return created("Put", bucket, key, size, eTag, sequencer);
    }

    /** An {@code ObjectRemoved:Delete} record (unversioned bucket: no size, no eTag). */
    public static ObjectNode deleteRecord(String bucket, String key, String sequencer) {
        ObjectNode object = JSON.objectNode().put("key", encodeKey(key)).put("sequencer", sequencer);
        return record("ObjectRemoved:Delete", bucket, object);
    }

    /** A notification carrying the records, as the JSON document Lambda receives. */
    public static String notification(List<ObjectNode> records) {
        ObjectNode n = JSON.objectNode();
        ArrayNode a = n.putArray("Records");
        records.forEach(a::add);
        return n.toString();
    }

    public static String notification(ObjectNode... records) {
        return notification(Arrays.asList(records));
    }

    /** Keys arrive URL-encoded as S3 encodes them: form encoding ('+' for space), slashes kept. */
    public static String encodeKey(String key) {
        return Arrays.stream(key.split("/", -1)).map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8))
                .collect(Collectors.joining("/"));
    }

    private static ObjectNode record(String eventName, String bucket, ObjectNode object) {
        ObjectNode record = JSON.objectNode().put("eventVersion", "2.1").put("eventSource", "aws:s3")
                .put("awsRegion", "us-east-1").put("eventTime", Instant.now().toString()).put("eventName", eventName);
        record.putObject("userIdentity").put("principalId", "LOCAL");
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        record.putObject("responseElements").put("x-amz-request-id", "LOCAL").put("x-amz-id-2", "LOCAL");
        ObjectNode s3 = record.putObject("s3").put("s3SchemaVersion", "1.0").put("configurationId", "index-objects");
        ObjectNode b = s3.putObject("bucket").put("name", bucket);
        b.putObject("ownerIdentity").put("principalId", "LOCAL");
        b.put("arn", "arn:aws:s3:::" + bucket);
        s3.set("object", object);
        return record;
    }
}
