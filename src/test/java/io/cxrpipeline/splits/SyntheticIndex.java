package io.cxrpipeline.splits;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

import io.cxrpipeline.catalog.ImageAttribute;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;

/**
 * Kermany-like synthetic indexes: NORMAL/PNEUMONIA at Kermany's 1,583 : 4,273 ratio, PNEUMONIA images as
 * bacteria or virus, patients with a heavy-tailed number of images (P(size ≥ k) = k^-1.4, capped), a share of
 * NORMAL images without patient, Kermany's original train/val/test folders, and a few identical contents
 * shared across patients and classes. Deterministic for a seed.
 */
public final class SyntheticIndex {

    public static final int KERMANY_IMAGES = 5856;
    public static final int KERMANY_NORMAL = 1583;

    private SyntheticIndex() {
    }

    /** All records of a synthetic dataset. */
    public static List<ImageRecord> kermanyLike(String dataset, int images, long seed) {
        List<ImageRecord> list = new ArrayList<>(images);
        forEach(dataset, images, seed, list::add);
        return list;
    }

    /** Streams the records of a synthetic dataset without holding them. */
    public static void forEach(String dataset, int images, long seed, Consumer<ImageRecord> sink) {
        Random rnd = new Random(seed);
        int normal = (int) Math.round((double) images * KERMANY_NORMAL / KERMANY_IMAGES);
        int[] counter = {0};
        int remaining = images - normal;
        int person = 0;
        while (remaining > 0) {
            int size = Math.min(remaining, patientSize(rnd, 40));
            person++;
            String split = originalSplit(rnd);
            String main = rnd.nextDouble() < 0.65 ? "bacteria" : "virus";
            for (int k = 1; k <= size; k++) {
                String subtype = rnd.nextDouble() < 0.9 ? main : main.equals("bacteria") ? "virus" : "bacteria";
                String id = split + "/PNEUMONIA/person" + person + "_" + subtype + "_" + k + ".jpeg";
                sink.accept(record(dataset, id, "PNEUMONIA", subtype, "person" + person, split, rnd, counter));
            }
            remaining -= size;
        }
        remaining = normal;
        int patient = 0;
        while (remaining > 0) {
            patient++;
            String split = originalSplit(rnd);
            if (rnd.nextDouble() < 0.3) {
                String id = split + "/NORMAL/IM-" + patient + "-0001.jpeg";
                sink.accept(record(dataset, id, "NORMAL", null, null, split, rnd, counter));
                remaining--;
                continue;
            }
            int size = Math.min(remaining, patientSize(rnd, 15));
            for (int k = 1; k <= size; k++) {
                String id = split + "/NORMAL/NORMAL2-IM-" + patient + "-" + String.format("%04d", k) + ".jpeg";
                sink.accept(record(dataset, id, "NORMAL", null, "normal" + patient, split, rnd, counter));
            }
            remaining -= size;
        }
    }

    private static ImageRecord record(String dataset, String imageId, String label, String subtype, String patient,
            String split, Random rnd, int[] counter) {
        int n = counter[0]++;
        // 0.3% of images repeat the bytes of an earlier image (another patient, maybe another class).
        int content = n > 0 && rnd.nextDouble() < 0.003 ? n - 1 - rnd.nextInt(Math.min(n, 500)) : n;
        return ImageRecord.indexed(dataset, imageId).key("images/" + dataset + "/" + imageId).label(label)
                .subtype(subtype).patient(patient).originalSplit(split).format("JPEG").width(1024).height(768)
                .channels(1).bitDepth(8).sizeBytes(100_000 + n).contentId("etag" + content + "-100000")
                .updatedAt("2026-01-01T00:00:00Z").build();
    }

    private static int patientSize(Random rnd, int cap) {
        double u = 1 - rnd.nextDouble();
        return (int) Math.min(cap, Math.floor(Math.pow(u, -1 / 1.4)));
    }

    private static String originalSplit(Random rnd) {
        double u = rnd.nextDouble();
        return u < 0.89 ? "train" : u < 0.893 ? "val" : "test";
    }

    /** A catalog that generates the dataset on every stream (holds nothing): the in-memory benchmark's source. */
    public static ImageCatalog catalog(String dataset, int images, long seed) {
        return new ImageCatalog() {
            @Override
            public long countIndexed(String ds, String label) {
                long[] n = {0};
                forEach(dataset, images, seed, r -> n[0] += r.label().equals(label) ? 1 : 0);
                return n[0];
            }

            @Override
            public long countWithStatus(String ds, ImageStatus status) {
                return 0;
            }

            @Override
            public List<ImageRecord> listWithStatus(String ds, ImageStatus status, int limit) {
                return List.of();
            }

            @Override
            public void streamIndexed(String ds, List<String> labels, Set<ImageAttribute> attributes,
                    Consumer<ImageRecord> sink) {
                if (ds.equals(dataset)) {
                    forEach(dataset, images, seed, r -> {
                        if (labels.contains(r.label())) {
                            sink.accept(r);
                        }
                    });
                }
            }
        };
    }
}
