package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.cxrpipeline.catalog.ImageStatus;

/**
 * Delivery order must not matter: random histories of uploads, overwrites and deletes over keys that share
 * content, delivered twice in shuffled order (and concurrently), leave the index one ordered pass leaves.
 */
class EventOrderTest {

    private static final List<byte[]> CONTENTS = List.of(
            TestImages.jpeg(64, 48, 1), TestImages.jpeg(64, 48, 2), TestImages.jpeg(64, 48, 3),
            TestImages.progressiveJpeg(80, 60, 4), TestImages.text("not an image"),
            TestImages.cut(TestImages.jpeg(64, 48, 5), 300));
    private static final List<String> KEYS = List.of(
            "images/ds/train/NORMAL/IM-0001-0001.jpeg", "images/ds/train/NORMAL/IM-0002-0001.jpeg",
            "images/ds/test/NORMAL/IM-0001-0001.jpeg", "images/ds/train/PNEUMONIA/person1_bacteria_1.jpeg",
            "images/ds/train/PNEUMONIA/person1_bacteria_2.jpeg", "images/ds/val/PNEUMONIA/person2_virus_3.jpeg",
            "images/ds/train/COVID/x.jpeg");

    /** A random history applied to a fresh fixture's store; returns its events in S3 order. */
    private static List<ObjectEvent> history(IngestFixture f, long seed) {
        Random r = new Random(seed);
        List<ObjectEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String key = KEYS.get(r.nextInt(KEYS.size()));
            events.add(r.nextInt(5) == 0 ? f.delete(key) : f.put(key, CONTENTS.get(r.nextInt(CONTENTS.size()))));
        }
        return events;
    }

    private static Map<String, Object> orderedPass(long seed) {
        IngestFixture f = new IngestFixture();
        history(f, seed).forEach(f.service::apply);
        return IngestFixture.logicalState(f.index);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void everyEventTwiceInShuffledOrderGivesTheOrderedResult(long seed) {
        Map<String, Object> expected = orderedPass(seed);
        IngestFixture f = new IngestFixture();
        List<ObjectEvent> twice = new ArrayList<>(history(f, seed));
        twice.addAll(new ArrayList<>(twice));
        Collections.shuffle(twice, new Random(seed * 31));
        twice.forEach(f.service::apply);
        assertEquals(expected, IngestFixture.logicalState(f.index));
        assertConsistent(expected);
    }

    @ParameterizedTest
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108})
    void concurrentDeliveryConverges(long seed) throws Exception {
        Map<String, Object> expected = orderedPass(seed);
        IngestFixture f = new IngestFixture();
        List<ObjectEvent> twice = new ArrayList<>(history(f, seed));
        twice.addAll(new ArrayList<>(twice));
        Collections.shuffle(twice, new Random(seed));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<IndexOutcome>> results = new ArrayList<>();
            for (ObjectEvent e : twice) {
                results.add(pool.submit(() -> f.service.apply(e)));
            }
            for (Future<IndexOutcome> r : results) {
                r.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(expected, IngestFixture.logicalState(f.index));
    }

    /**
     * In a settled index each content group has exactly one canonical member, INDEXED (or CONFLICT when its members
     * carry several classes), and the rest point at it.
     */
    private static void assertConsistent(Map<String, Object> state) {
        state.forEach((k, v) -> {
            if (k.startsWith("CONTENT ")) {
                @SuppressWarnings("unchecked")
                java.util.SortedSet<String> members = (java.util.SortedSet<String>) v;
                String owner = members.first();
                java.util.Set<String> labels = new java.util.HashSet<>();
                for (String m : members) {
                    var r = (io.cxrpipeline.catalog.ImageRecord) state.get("IMG ds#" + m);
                    assertTrue(r != null, m);
                    labels.add(r.label());
                }
                ImageStatus canonical = labels.size() > 1 ? ImageStatus.CONFLICT : ImageStatus.INDEXED;
                for (String m : members) {
                    var r = (io.cxrpipeline.catalog.ImageRecord) state.get("IMG ds#" + m);
                    assertEquals(m.equals(owner) ? canonical : ImageStatus.DUPLICATE, r.status(), m);
                }
            }
        });
    }
}
