package io.cxrpipeline.distribution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cxrpipeline.catalog.DatasetNotFoundException;
import io.cxrpipeline.catalog.ImageAttribute;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.common.Hashes;
import io.cxrpipeline.common.IntSort;

/**
 * Computes a dataset's distribution from the index: one projected stream over the class partitions for the
 * data (class, subtype, original split, view, PHI flag) and COUNT queries for the REJECTED, DUPLICATE and CONFLICT objects.
 */
public class DistributionService {

    private static final List<String> SPLIT_ORDER = List.of("train", "val", "test");

    private final ImageCatalog catalog;
    private final List<String> classes;

    public DistributionService(ImageCatalog catalog, List<String> classes) {
        this.catalog = catalog;
        this.classes = List.copyOf(classes);
    }

    /**
     * The distribution of a dataset.
     *
     * @throws DatasetNotFoundException when the index holds no object of the dataset at all
     */
    public Distribution distribution(String dataset) {
        Map<String, Integer> classIndex = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            classIndex.put(classes.get(i), i);
        }
        // Each image becomes (hash of its id, cell); counting happens after de-duplication, so an image that
        // moved between partitions while they were read still counts once.
        Map<Cell, Integer> cellIds = new HashMap<>();
        List<Cell> cells = new ArrayList<>();
        Tally tally = new Tally();
        catalog.streamIndexed(dataset, classes, EnumSet.of(ImageAttribute.SUBTYPE, ImageAttribute.ORIGINAL_SPLIT,
                ImageAttribute.VIEW, ImageAttribute.PHI),
                r -> {
                    Cell cell = new Cell(classIndex.get(r.label()), r.subtype(), r.originalSplit(), r.view(), r.phi());
                    Integer id = cellIds.get(cell);
                    if (id == null) {
                        id = cells.size();
                        cellIds.put(cell, id);
                        cells.add(cell);
                    }
                    tally.add(Hashes.of(r.imageId()), id);
                });
        long rejected = catalog.countWithStatus(dataset, ImageStatus.REJECTED);
        long duplicates = catalog.countWithStatus(dataset, ImageStatus.DUPLICATE);
        long conflicts = catalog.countWithStatus(dataset, ImageStatus.CONFLICT);
        if (tally.size() == 0 && rejected == 0 && duplicates == 0 && conflicts == 0) {
            throw new DatasetNotFoundException(dataset, "dataset '" + dataset + "' has no objects in the index");
        }
        long[] perCell = tally.countOnce(cells.size());

        Map<String, Long> byClass = zeroCounts();
        Map<String, Map<String, Long>> bySplit = new HashMap<>();
        Map<List<String>, Long> bySubtype = new HashMap<>();
        long images = 0;
        long phi = 0;
        Map<String, Long> byView = new java.util.TreeMap<>();
        for (int i = 0; i < cells.size(); i++) {
            long n = perCell[i];
            if (n == 0) {
                continue;
            }
            Cell cell = cells.get(i);
            String label = classes.get(cell.label());
            images += n;
            phi += cell.phi() ? n : 0;
            byView.merge(cell.view() == null ? Distribution.NO_VIEW : cell.view(), n, Long::sum);
            byClass.merge(label, n, Long::sum);
            bySplit.computeIfAbsent(cell.originalSplit() == null ? "\0" : cell.originalSplit(), k -> zeroCounts())
                    .merge(label, n, Long::sum);
            bySubtype.merge(Arrays.asList(label, cell.subtype()), n, Long::sum);
        }

        List<Distribution.SubtypeCount> subtypes = new ArrayList<>();
        bySubtype.forEach((k, n) -> subtypes.add(new Distribution.SubtypeCount(k.get(0), k.get(1), n)));
        subtypes.sort(Comparator.<Distribution.SubtypeCount>comparingInt(s -> classes.indexOf(s.label()))
                .thenComparing(Distribution.SubtypeCount::subtype, Comparator.nullsLast(Comparator.naturalOrder())));

        List<Distribution.OriginalSplitCount> splits = new ArrayList<>();
        bySplit.forEach((k, counts) -> {
            String split = k.equals("\0") ? null : k;
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            splits.add(new Distribution.OriginalSplitCount(split, total, counts, ImbalanceMetrics.of(classes, counts)));
        });
        splits.sort(Comparator.comparing(Distribution.OriginalSplitCount::originalSplit,
                Comparator.nullsLast(Comparator.<String>comparingInt(s -> SPLIT_ORDER.contains(s)
                        ? SPLIT_ORDER.indexOf(s) : SPLIT_ORDER.size()).thenComparing(Comparator.naturalOrder()))));

        Map<String, Long> byStatus = new LinkedHashMap<>();
        byStatus.put(ImageStatus.INDEXED.name(), images);
        byStatus.put(ImageStatus.REJECTED.name(), rejected);
        byStatus.put(ImageStatus.DUPLICATE.name(), duplicates);
        byStatus.put(ImageStatus.CONFLICT.name(), conflicts);
        return new Distribution(dataset, classes, images, byClass, subtypes, splits, byStatus,
                ImbalanceMetrics.of(classes, byClass), phi, byView);
    }

    private Map<String, Long> zeroCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String c : classes) {
            m.put(c, 0L);
        }
        return m;
    }

    /** A combination of class index, subtype and original split. */
    private record Cell(int label, String subtype, String originalSplit, String view, boolean phi) {
    }

    /** Compact (image hash, cell) pairs: 12 bytes per image. */
    static final class Tally {
        private long[] hashes = new long[1024];
        private int[] cells = new int[1024];
        private int size;

        void add(long hash, int cell) {
            if (size == hashes.length) {
                hashes = Arrays.copyOf(hashes, size * 2);
                cells = Arrays.copyOf(cells, size * 2);
            }
            hashes[size] = hash;
            cells[size] = cell;
            size++;
        }

        int size() {
            return size;
        }

        /** Images per cell, each image hash counted once (in its lowest cell, so the result is deterministic). */
        long[] countOnce(int cellCount) {
            long[] counts = new long[cellCount];
            int[] order = IntSort.identity(size);
            IntSort.sort(order, (a, b) -> {
                int c = Long.compare(hashes[a], hashes[b]);
                return c != 0 ? c : Integer.compare(cells[a], cells[b]);
            });
            for (int i = 0; i < size; i++) {
                if (i > 0 && hashes[order[i]] == hashes[order[i - 1]]) {
                    continue;
                }
                counts[cells[order[i]]]++;
            }
            return counts;
        }
    }
}
