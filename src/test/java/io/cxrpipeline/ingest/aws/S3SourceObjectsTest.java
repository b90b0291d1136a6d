package io.cxrpipeline.ingest.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.ingest.ObjectEvent;
import io.cxrpipeline.ingest.SourceObjects;
import io.cxrpipeline.ingest.InMemorySourceObjects;
import io.cxrpipeline.ingest.TestImages;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 adapter against S3Proxy: ranges, If-Match, metadata, listings, and what a vanished object reads as. */
class S3SourceObjectsTest {

    private final S3Client s3 = Emulators.get().s3();
    private final S3SourceObjects store = new S3SourceObjects(s3);
    private final String prefix = "images/s3test-" + UUID.randomUUID() + "/";

    private String upload(String key, byte[] bytes, Map<String, String> metadata) {
        return ObjectEvent.unquote(s3.putObject(b -> b.bucket(Emulators.BUCKET).key(key).metadata(metadata),
                RequestBody.fromBytes(bytes)).eTag());
    }

    @Test
    void rangedReadsReturnTheBytesTheFullSizeAndTheMetadata() {
        byte[] jpeg = TestImages.jpeg(400, 300, 1);
        String key = prefix + "NORMAL/a b+ü.jpeg";
        String eTag = upload(key, jpeg, Map.of("class", "PNEUMONIA", "Patient-Id", "p1"));
        SourceObjects.Bytes head = store.read(Emulators.BUCKET, key, eTag, 0, 1000);
        assertArrayEquals(Arrays.copyOf(jpeg, 1000), head.bytes());
        assertEquals(jpeg.length, head.size());
        assertEquals(eTag, head.eTag());
        assertEquals("PNEUMONIA", head.metadata().get("class"));
        assertEquals("p1", head.metadata().get("patient-id"));
        SourceObjects.Bytes tail = store.readTail(Emulators.BUCKET, key, eTag, 100);
        assertArrayEquals(Arrays.copyOfRange(jpeg, jpeg.length - 100, jpeg.length), tail.bytes());
        SourceObjects.Bytes whole = store.read(Emulators.BUCKET, key, null, 0, 10_000_000);
        assertEquals(jpeg.length, whole.bytes().length);
    }

    @Test
    void anotherVersionOrAMissingObjectReadsAsGone() {
        String key = prefix + "NORMAL/b.jpeg";
        String first = upload(key, TestImages.jpeg(50, 50, 1), Map.of());
        upload(key, TestImages.jpeg(50, 50, 2), Map.of());
        assertNull(store.read(Emulators.BUCKET, key, first, 0, 100));
        assertNull(store.readTail(Emulators.BUCKET, key, first, 100));
        assertNull(store.read(Emulators.BUCKET, prefix + "missing.jpeg", null, 0, 100));
    }

    @Test
    void emptyObjectReadsAsZeroBytes() {
        String key = prefix + "NORMAL/empty.jpeg";
        upload(key, new byte[0], Map.of());
        SourceObjects.Bytes b = store.read(Emulators.BUCKET, key, null, 0, 100);
        assertEquals(0, b.size());
        assertEquals(0, b.bytes().length);
    }

    @Test
    void listingPagesInKeyOrderAfterAKey() {
        for (int i = 0; i < 5; i++) {
            upload(prefix + "NORMAL/" + i + ".jpeg", new byte[] {1, 2, (byte) i}, Map.of());
        }
        SourceObjects.Listing page = store.list(Emulators.BUCKET, prefix, null, 2);
        assertEquals(2, page.entries().size());
        assertTrue(page.truncated());
        SourceObjects.Listing rest = store.list(Emulators.BUCKET, prefix, page.entries().get(1).key(), 10);
        assertEquals(3, rest.entries().size());
        assertEquals(prefix + "NORMAL/2.jpeg", rest.entries().get(0).key());
        assertEquals(3, rest.entries().get(0).size());
        assertEquals(InMemorySourceObjects.md5(new byte[] {1, 2, 2}), rest.entries().get(0).eTag());
    }

    @Test
    void missingBucketIsAnInfrastructureFailure() {
        assertThrows(InfrastructureException.class, () -> store.list("no-such-bucket", "x/", null, 1));
    }
}
