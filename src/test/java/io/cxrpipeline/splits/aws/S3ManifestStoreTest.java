package io.cxrpipeline.splits.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.testing.Emulators;

class S3ManifestStoreTest {

    private static final int MIB = 1024 * 1024;

    private final S3ManifestStore store = new S3ManifestStore(Emulators.get().s3(), Emulators.BUCKET, 5 * MIB);

    private byte[] read(String key) {
        return Emulators.get().s3().getObjectAsBytes(b -> b.bucket(Emulators.BUCKET).key(key)).asByteArray();
    }

    @Test
    void anObjectLargerThanAPartIsUploadedInPartsAndReadsBackWhole() throws Exception {
        byte[] data = new byte[12 * MIB + 123];
        new Random(1).nextBytes(data);
        try (OutputStream out = store.create("manifests/store-test/large.jsonl", "application/jsonl")) {
            for (int i = 0; i < data.length; i += 1000) {
                out.write(data, i, Math.min(1000, data.length - i));
            }
        }
        assertArrayEquals(data, read("manifests/store-test/large.jsonl"));
        assertEquals("application/jsonl", Emulators.get().s3()
                .headObject(b -> b.bucket(Emulators.BUCKET).key("manifests/store-test/large.jsonl")).contentType());
    }

    @Test
    void aSmallObjectIsOnePutAndAnEmptyOneExists() throws Exception {
        try (OutputStream out = store.create("manifests/store-test/small.csv", "text/csv")) {
            out.write("a,b\n".getBytes());
        }
        assertArrayEquals("a,b\n".getBytes(), read("manifests/store-test/small.csv"));
        store.create("manifests/store-test/empty.jsonl", "application/jsonl").close();
        assertEquals(0, read("manifests/store-test/empty.jsonl").length);
    }

    @Test
    void theUriNamesTheBucketAndKey() {
        assertEquals("s3://" + Emulators.BUCKET + "/manifests/x", store.uri("manifests/x"));
    }
}
