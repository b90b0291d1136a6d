package io.cxrpipeline.splits;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** A {@link ManifestStore} in memory, or a byte counter when {@code keep} is false (the benchmark). */
public final class InMemoryManifestStore implements ManifestStore {

    private final Map<String, byte[]> objects = new TreeMap<>();
    private final boolean keep;
    private long bytes;

    public InMemoryManifestStore(boolean keep) {
        this.keep = keep;
    }

    @Override
    public OutputStream create(String key, String contentType) {
        if (!keep) {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    bytes++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes += len;
                }
            };
        }
        return new ByteArrayOutputStream() {
            @Override
            public void close() {
                objects.put(key, toByteArray());
                bytes += size();
            }
        };
    }

    @Override
    public String uri(String key) {
        return "s3://test-bucket/" + key;
    }

    public Map<String, byte[]> objects() {
        return objects;
    }

    public String text(String key) {
        byte[] b = objects.get(key);
        if (b == null) {
            throw new IllegalArgumentException("no object " + key + " in " + objects.keySet());
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    public long bytes() {
        return bytes;
    }
}
