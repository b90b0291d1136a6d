package io.cxrpipeline.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.ingest.SourceObjects;

/** An S3 stand-in with ETags (MD5), user metadata, If-Match and ranges; counts reads; can be made to fail. */
public final class InMemorySourceObjects implements SourceObjects {

    record Obj(byte[] bytes, String eTag, Map<String, String> metadata) {
    }

    final ConcurrentSkipListMap<String, Obj> objects = new ConcurrentSkipListMap<>();
    final AtomicInteger reads = new AtomicInteger();
    volatile boolean down;

    /** Stores an object and returns its ETag. */
    public String put(String key, byte[] bytes, Map<String, String> metadata) {
        String eTag = md5(bytes);
        objects.put(key, new Obj(bytes.clone(), eTag, Map.copyOf(metadata)));
        return eTag;
    }

    public String put(String key, byte[] bytes) {
        return put(key, bytes, Map.of());
    }

    public void delete(String key) {
        objects.remove(key);
    }

    @Override
    public Bytes read(String bucket, String key, String eTag, long start, int length) {
        Obj o = fetch(key, eTag);
        if (o == null) {
            return null;
        }
        int from = (int) Math.min(start, o.bytes.length);
        int to = (int) Math.min(o.bytes.length, start + length);
        return new Bytes(Arrays.copyOfRange(o.bytes, from, to), o.bytes.length, o.eTag, o.metadata);
    }

    @Override
    public Bytes readTail(String bucket, String key, String eTag, int length) {
        Obj o = fetch(key, eTag);
        if (o == null) {
            return null;
        }
        int from = Math.max(0, o.bytes.length - length);
        return new Bytes(Arrays.copyOfRange(o.bytes, from, o.bytes.length), o.bytes.length, o.eTag, o.metadata);
    }

    private Obj fetch(String key, String eTag) {
        if (down) {
            throw new InfrastructureException("storage", "S3 is down");
        }
        reads.incrementAndGet();
        Obj o = objects.get(key);
        return o == null || (eTag != null && !eTag.equals(o.eTag)) ? null : o;
    }

    @Override
    public Listing list(String bucket, String prefix, String startAfter, int maxKeys) {
        if (down) {
            throw new InfrastructureException("storage", "S3 is down");
        }
        List<Entry> all = objects.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .filter(e -> startAfter == null || e.getKey().compareTo(startAfter) > 0)
                .map(e -> new Entry(e.getKey(), e.getValue().bytes.length, e.getValue().eTag))
                .toList();
        return new Listing(all.subList(0, Math.min(maxKeys, all.size())), all.size() > maxKeys);
    }

    public static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
