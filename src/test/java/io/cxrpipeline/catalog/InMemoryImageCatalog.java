package io.cxrpipeline.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An {@link ImageCatalog} over a list, for core tests and the in-memory benchmark. Streams in a shuffled
 * order (the real index's order is arbitrary) and, like the adapter, fills only the requested attributes.
 */
public final class InMemoryImageCatalog implements ImageCatalog {

    private final List<ImageRecord> records;
    private final long shuffleSeed;

    public InMemoryImageCatalog(List<ImageRecord> records, long shuffleSeed) {
        this.records = records;
        this.shuffleSeed = shuffleSeed;
    }

    @Override
    public long countIndexed(String dataset, String label) {
        return records.stream().filter(r -> r.dataset().equals(dataset) && r.status() == ImageStatus.INDEXED
                && label.equals(r.label())).count();
    }

    @Override
    public long countWithStatus(String dataset, ImageStatus status) {
        return records.stream().filter(r -> r.dataset().equals(dataset) && r.status() == status).count();
    }

    @Override
    public List<ImageRecord> listWithStatus(String dataset, ImageStatus status, int limit) {
        return records.stream().filter(r -> r.dataset().equals(dataset) && r.status() == status)
                .sorted(java.util.Comparator.comparing(ImageRecord::imageId)).limit(limit).toList();
    }

    @Override
    public void streamIndexed(String dataset, List<String> labels, Set<ImageAttribute> attributes,
            Consumer<ImageRecord> sink) {
        List<Integer> order = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            order.add(i);
        }
        if (shuffleSeed != 0) {
            Collections.shuffle(order, new Random(shuffleSeed));
        }
        for (int i : order) {
            ImageRecord r = records.get(i);
            if (!r.dataset().equals(dataset) || r.status() != ImageStatus.INDEXED || !labels.contains(r.label())) {
                continue;
            }
            sink.accept(new ImageRecord(r.dataset(), r.imageId(), get(attributes, ImageAttribute.KEY, r.key()),
                    r.label(), get(attributes, ImageAttribute.SUBTYPE, r.subtype()),
                    get(attributes, ImageAttribute.PATIENT, r.patient()),
                    get(attributes, ImageAttribute.ORIGINAL_SPLIT, r.originalSplit()), null, 0, 0, 0, 0, 0,
                    get(attributes, ImageAttribute.CONTENT_ID, r.contentId()), r.status(), null, null, null, null));
        }
    }

    private static String get(Set<ImageAttribute> attributes, ImageAttribute a, String value) {
        return attributes.contains(a) ? value : null;
    }
}
