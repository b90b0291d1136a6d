package io.cxrpipeline.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Event JSON for tests, made from the fixtures under {@code src/test/resources/events/} with the bucket, key,
 * size, ETag and sequencer of an actual upload filled in, the key encoded as S3 encodes it.
 */
final class S3Events {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicLong SEQUENCER = new AtomicLong(0x0062F1A3B4C5D6E7L);

    private S3Events() {
    }

    /** A fresh sequencer, later than every one handed out before in this JVM. */
    static String nextSequencer() {
        return String.format("%018X", SEQUENCER.addAndGet(0x1000));
    }

    /** One record of {@code s3-put.json} for an uploaded object. */
    static ObjectNode putRecord(String bucket, String key, long size, String eTag, String sequencer) {
        ObjectNode r = firstRecord("s3-put.json");
        ObjectNode s3 = (ObjectNode) r.get("s3");
        ((ObjectNode) s3.get("bucket")).put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        ((ObjectNode) s3.get("object")).put("key", encodeKey(key)).put("size", size).put("eTag", eTag)
                .put("sequencer", sequencer);
        return r;
    }

    /** One record of {@code s3-delete.json}. */
    static ObjectNode deleteRecord(String bucket, String key, String sequencer) {
        ObjectNode r = firstRecord("s3-delete.json");
        ObjectNode s3 = (ObjectNode) r.get("s3");
        ((ObjectNode) s3.get("bucket")).put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        ((ObjectNode) s3.get("object")).put("key", encodeKey(key)).put("sequencer", sequencer);
        return r;
    }

    /** A notification carrying the records. */
    static String notification(List<ObjectNode> records) {
        ObjectNode n = MAPPER.createObjectNode();
        ArrayNode a = n.putArray("Records");
        records.forEach(a::add);
        return n.toString();
    }

    static String notification(ObjectNode... records) {
        return notification(Arrays.asList(records));
    }

    /** S3's key encoding in notifications: form-URL-encoding per segment, slashes kept, space as '+'. */
    static String encodeKey(String key) {
        return io.cxrpipeline.local.S3Events.encodeKey(key);
    }

    static String fixture(String name) {
        try (InputStream in = S3Events.class.getResourceAsStream("/events/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode firstRecord(String fixture) {
        try {
            return (ObjectNode) MAPPER.readTree(fixture(fixture)).get("Records").get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
