package io.cxrpipeline.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.DatasetNotFoundException;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.InMemoryImageCatalog;

class DistributionServiceTest {

    private static final List<String> CLASSES = List.of("NORMAL", "PNEUMONIA");

    static ImageRecord image(String dataset, String id, String label, String subtype, String split,
            ImageStatus status) {
        return ImageRecord.builder(dataset, id).key("images/" + dataset + "/" + id).label(label).subtype(subtype)
                .originalSplit(split).format("JPEG").width(1).height(1).channels(1).bitDepth(8).sizeBytes(1)
                .contentId("c-" + id).status(status, null, null).build();
    }

    @Test
    void countsClassesSubtypesOriginalSplitsAndStatusesExactly() {
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            records.add(image("ds", "train/NORMAL/n" + i, "NORMAL", null, "train", ImageStatus.INDEXED));
        }
        for (int i = 0; i < 20; i++) {
            records.add(image("ds", "train/PNEUMONIA/b" + i, "PNEUMONIA", "bacteria", "train", ImageStatus.INDEXED));
        }
        for (int i = 0; i < 7; i++) {
            records.add(image("ds", "test/PNEUMONIA/v" + i, "PNEUMONIA", "virus", "test", ImageStatus.INDEXED));
        }
        records.add(image("ds", "NORMAL/x", "NORMAL", null, null, ImageStatus.INDEXED));
        records.add(image("ds", "NORMAL/bad", null, null, null, ImageStatus.REJECTED));
        records.add(image("ds", "NORMAL/dup", "NORMAL", null, null, ImageStatus.DUPLICATE));
        records.add(image("ds", "NORMAL/dup2", "NORMAL", null, null, ImageStatus.DUPLICATE));
        records.add(image("ds", "NORMAL/both", "NORMAL", null, null, ImageStatus.CONFLICT));
        records.add(image("other", "NORMAL/n", "NORMAL", null, null, ImageStatus.INDEXED));
        Distribution d = new DistributionService(new InMemoryImageCatalog(records, 3), CLASSES).distribution("ds");

        assertEquals(41, d.images());
        assertEquals(14L, d.byClass().get("NORMAL"));
        assertEquals(27L, d.byClass().get("PNEUMONIA"));
        assertEquals(List.of(new Distribution.SubtypeCount("NORMAL", null, 14),
                new Distribution.SubtypeCount("PNEUMONIA", "bacteria", 20),
                new Distribution.SubtypeCount("PNEUMONIA", "virus", 7)), d.bySubtype());
        assertEquals(List.of("train", "test"), d.byOriginalSplit().stream().limit(2)
                .map(Distribution.OriginalSplitCount::originalSplit).toList());
        assertEquals(33, d.byOriginalSplit().get(0).images());
        assertEquals(13L, d.byOriginalSplit().get(0).byClass().get("NORMAL"));
        assertEquals(null, d.byOriginalSplit().get(2).originalSplit());
        assertEquals(1, d.byOriginalSplit().get(2).images());
        assertEquals(41L, d.byStatus().get("INDEXED"));
        assertEquals(1L, d.byStatus().get("REJECTED"));
        assertEquals(2L, d.byStatus().get("DUPLICATE"));
        assertEquals(1L, d.byStatus().get("CONFLICT"), "label conflicts are counted, not data");
        assertEquals(27.0 / 14, d.imbalance().imbalanceRatio(), 1e-12);
    }

    @Test
    void phiFlaggedImagesAndViewsAreCounted() {
        List<ImageRecord> records = new ArrayList<>();
        records.add(image("ds", "a.dcm", "NORMAL", null, null, ImageStatus.INDEXED).toBuilder().view("PA").phi(true)
                .build());
        records.add(image("ds", "b.dcm", "NORMAL", null, null, ImageStatus.INDEXED).toBuilder().view("PA").build());
        records.add(image("ds", "c.dcm", "PNEUMONIA", null, null, ImageStatus.INDEXED).toBuilder().view("AP").phi(true)
                .build());
        records.add(image("ds", "d.jpeg", "PNEUMONIA", null, null, ImageStatus.INDEXED));
        records.add(image("ds", "e.dcm", "PNEUMONIA", null, null, ImageStatus.REJECTED).toBuilder().phi(true).build());
        Distribution d = new DistributionService(new InMemoryImageCatalog(records, 2), CLASSES).distribution("ds");
        assertEquals(2, d.phi(), "INDEXED images only");
        assertEquals(java.util.Map.of("PA", 2L, "AP", 1L, Distribution.NO_VIEW, 1L), d.byView());
        assertEquals(0, new DistributionService(new InMemoryImageCatalog(records.subList(3, 4), 2), CLASSES)
                .distribution("ds").phi());
    }

    @Test
    void anImageSeenInTwoClassPartitionsWhileItsClassChangesCountsOnce() {
        List<ImageRecord> records = new ArrayList<>();
        records.add(image("ds", "a", "NORMAL", null, null, ImageStatus.INDEXED));
        records.add(image("ds", "b", "NORMAL", null, null, ImageStatus.INDEXED));
        records.add(image("ds", "b", "PNEUMONIA", null, null, ImageStatus.INDEXED));
        Distribution d = new DistributionService(new InMemoryImageCatalog(records, 1), CLASSES).distribution("ds");
        assertEquals(2, d.images());
        assertEquals(2L, d.byClass().get("NORMAL") + d.byClass().get("PNEUMONIA"));
    }

    @Test
    void aDatasetWithNothingInTheIndexIsNotFound() {
        List<ImageRecord> records = List.of(image("ds", "a", "NORMAL", null, null, ImageStatus.INDEXED));
        assertThrows(DatasetNotFoundException.class,
                () -> new DistributionService(new InMemoryImageCatalog(records, 1), CLASSES).distribution("nope"));
    }

    @Test
    void aDatasetOfRejectedObjectsOnlyReportsThemWithoutMetrics() {
        List<ImageRecord> records = List.of(image("ds", "a", null, null, null, ImageStatus.REJECTED));
        Distribution d = new DistributionService(new InMemoryImageCatalog(records, 1), CLASSES).distribution("ds");
        assertEquals(0, d.images());
        assertEquals(1L, d.byStatus().get("REJECTED"));
        assertEquals(null, d.imbalance().classImbalance());
    }
}
