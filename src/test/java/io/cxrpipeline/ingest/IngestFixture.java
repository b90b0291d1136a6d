package io.cxrpipeline.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import io.cxrpipeline.catalog.ImageRecord;

/** The ingest core over in-memory S3 and index, with methods that upload and make the matching events. */
final class IngestFixture {

    static final String BUCKET = "bucket";
    /** The patient-ID salt of the fixture's deployment. */
    static final String SALT = "fixture-salt-0123456789";

    final InMemorySourceObjects store = new InMemorySourceObjects();
    final InMemoryImageIndex index = new InMemoryImageIndex();
    final IndexingService service;
    private final AtomicLong sequencer = new AtomicLong(0x5F0000000000L);

    IngestFixture() {
        this(64 * 1024);
    }

    IngestFixture(int headBytes) {
        service = new IndexingService(KeyRules.defaults(), new ObjectAnalyzer(store, headBytes, 4096, 1 << 20, 50_000_000),
                index, store, BUCKET, Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC),
                Duration.ofDays(14), new PatientIds(java.util.Optional.of(SALT)));
    }

    /** Uploads an object and returns the event S3 would send for it. */
    ObjectEvent put(String key, byte[] bytes) {
        return put(key, bytes, Map.of());
    }

    ObjectEvent put(String key, byte[] bytes, Map<String, String> metadata) {
        String eTag = store.put(key, bytes, metadata);
        return new ObjectEvent(ObjectEvent.Kind.CREATED, "ObjectCreated:Put", null, BUCKET, key, (long) bytes.length,
                eTag, nextSequencer(), null);
    }

    /** Deletes an object and returns the event S3 would send for it. */
    ObjectEvent delete(String key) {
        store.delete(key);
        return new ObjectEvent(ObjectEvent.Kind.REMOVED, "ObjectRemoved:Delete", null, BUCKET, key, null, null,
                nextSequencer(), null);
    }

    private String nextSequencer() {
        // Varying lengths on purpose: the padded comparison must order them.
        long s = sequencer.addAndGet(1 + (sequencer.get() % 7));
        return Sequencers.normalise(Long.toHexString(s));
    }

    ImageRecord record(String imageId) {
        ImageIndex.Stored s = index.get("ds", imageId);
        return s == null ? null : s.record();
    }

    /**
     * The index as users see it: every item without its bookkeeping (rev, derivation version, timestamps),
     * and the non-empty content groups' members.
     */
    static Map<String, Object> logicalState(InMemoryImageIndex index) {
        Map<String, Object> state = new TreeMap<>();
        index.items().forEach((id, s) -> {
            ImageRecord r = s.record();
            state.put("IMG " + id, r.toBuilder().updatedAt(null).build());
        });
        index.groups().forEach((id, g) -> {
            if (!g.members().isEmpty()) {
                state.put("CONTENT " + id, g.members());
            }
        });
        return state;
    }
}
