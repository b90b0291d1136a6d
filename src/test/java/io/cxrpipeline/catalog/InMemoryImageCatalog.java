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
            sink.accept(ImageRecord.builder(r.dataset(), r.imageId()).key(get(attributes, ImageAttribute.KEY, r.key()))
                    .label(r.label()).subtype(get(attributes, ImageAttribute.SUBTYPE, r.subtype()))
                    .patient(get(attributes, ImageAttribute.PATIENT, r.patient()))
                    .originalSplit(get(attributes, ImageAttribute.ORIGINAL_SPLIT, r.originalSplit()))
                    .contentId(get(attributes, ImageAttribute.CONTENT_ID, r.contentId()))
                    .view(get(attributes, ImageAttribute.VIEW, r.view()))
                    .phi(attributes.contains(ImageAttribute.PHI) && r.phi())
                    .status(r.status(), null, null).build());
        }
    }

    private static String get(Set<ImageAttribute> attributes, ImageAttribute a, String value) {
        return attributes.contains(a) ? value : null;
    }
}
