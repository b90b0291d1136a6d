package io.cxrpipeline.catalog.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageItemWriter;
import io.cxrpipeline.catalog.ImageAttribute;

class DynamoImageCatalogTest {

    private static final int SHARDS = 4;
    private static final String DATASET = "catalog-read";
    private static boolean written;

    private final DynamoImageCatalog catalog = new DynamoImageCatalog(Emulators.get().dynamo(), Emulators.TABLE,
            SHARDS);

    private static synchronized void write() {
        if (written) {
            return;
        }
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String label = i % 3 == 0 ? "NORMAL" : "PNEUMONIA";
            String id = label + "/img" + i + ".jpeg";
            records.add(ImageRecord.indexed(DATASET, id).key("images/" + DATASET + "/" + id).label(label)
                    .subtype(label.equals("NORMAL") ? null : "virus").patient("person" + (i / 4))
                    .originalSplit(i % 2 == 0 ? "train" : "test").format("JPEG").width(100).height(80).channels(1)
                    .bitDepth(8).sizeBytes(1234 + i).contentId("etag" + i).sequencer("0001")
                    .updatedAt("2026-01-01T00:00:00Z").build());
        }
        for (int i = 0; i < 5; i++) {
            String id = "NORMAL/bad" + i + ".txt";
            records.add(ImageRecord.rejected(DATASET, id, "not an image").key("images/" + DATASET + "/" + id)
                    .label("NORMAL").format("UNKNOWN").sizeBytes(10).contentId("etagbad" + i).sequencer("0001")
                    .updatedAt("2026-01-01T00:00:00Z").build());
        }
        records.add(ImageRecord.builder(DATASET, "NORMAL/copy.jpeg").key("images/" + DATASET + "/NORMAL/copy.jpeg")
                .label("NORMAL").format("JPEG").width(100).height(80).channels(1).bitDepth(8).sizeBytes(1234)
                .contentId("etag0").duplicateOf("NORMAL/img0.jpeg", "same content").sequencer("0001")
                .updatedAt("2026-01-01T00:00:00Z").build());
        ImageItemWriter.putAll(Emulators.get().dynamo(), Emulators.TABLE, records, SHARDS);
        written = true;
    }

    @Test
    void countsComeFromTheClassAndStatusShards() {
        write();
        assertEquals(100, catalog.countIndexed(DATASET, "NORMAL"));
        assertEquals(200, catalog.countIndexed(DATASET, "PNEUMONIA"));
        assertEquals(5, catalog.countWithStatus(DATASET, ImageStatus.REJECTED));
        assertEquals(1, catalog.countWithStatus(DATASET, ImageStatus.DUPLICATE));
        assertEquals(0, catalog.countIndexed("no-such-dataset", "NORMAL"));
        assertThrows(IllegalArgumentException.class, () -> catalog.countWithStatus(DATASET, ImageStatus.INDEXED));
    }

    @Test
    void aStreamReadsEveryIndexedImageOnceWithOnlyTheRequestedAttributes() {
        write();
        Map<String, ImageRecord> seen = new HashMap<>();
        catalog.streamIndexed(DATASET, List.of("NORMAL", "PNEUMONIA"),
                EnumSet.of(ImageAttribute.PATIENT, ImageAttribute.CONTENT_ID),
                r -> assertNull(seen.put(r.imageId(), r), "seen twice: " + r.imageId()));
        assertEquals(300, seen.size());
        ImageRecord r = seen.get("PNEUMONIA/img1.jpeg");
        assertEquals("PNEUMONIA", r.label());
        assertEquals(ImageStatus.INDEXED, r.status());
        assertEquals("person0", r.patient());
        assertEquals("etag1", r.contentId());
        assertNull(r.subtype(), "not requested");
        assertNull(r.originalSplit(), "not requested");
        assertEquals(0, r.sizeBytes(), "not requested");
    }

    @Test
    void aStreamOfSomeClassesReadsOnlyTheirPartitions() {
        write();
        List<String> labels = new ArrayList<>();
        catalog.streamIndexed(DATASET, List.of("NORMAL"), Set.of(), r -> labels.add(r.label()));
        assertEquals(100, labels.size());
        assertEquals(Set.of("NORMAL"), Set.copyOf(labels));
    }

    @Test
    void anUnreachableTableIsACatalogReadException() {
        DynamoImageCatalog missing = new DynamoImageCatalog(Emulators.get().dynamo(), "no-such-table", SHARDS);
        assertThrows(InfrastructureException.class, () -> missing.countIndexed(DATASET, "NORMAL"));
        assertThrows(InfrastructureException.class,
                () -> missing.streamIndexed(DATASET, List.of("NORMAL"), Set.of(), r -> { }));
    }
}
