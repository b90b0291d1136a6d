package io.cxrpipeline.splits;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Streams the manifests of a plan: {@code <split>.jsonl} (SageMaker augmented manifest) and {@code <split>.csv}
 * (Keras {@code flow_from_dataframe}), rows in a seeded shuffled order, and recomputes the leakage check and
 * the counts after balancing from the rows it writes.
 *
 * <p>Memory: one {@code long} per row of the split being written plus a byte per image; the files go out
 * through the store's bounded buffers.
 */
public final class ManifestWriter {

    /** The CSV header; {@code filename} and {@code class} are flow_from_dataframe's default column names. */
    public static final String CSV_HEADER = "filename,class,class_index,subtype,patient,copy,source_ref,content";

    private static final int BUFFER = 1 << 16;

    /**
     * What was written.
     *
     * @param rows             rows per split
     * @param after            rows per split, class and subtype (index subtype + 1)
     * @param patientsPerSplit distinct patients with rows in each split
     * @param groupsPerSplit   leakage groups with rows in each split
     * @param leakage          the leakage check over the rows
     */
    public record Output(long[] rows, long[][][] after, long[] patientsPerSplit, long[] groupsPerSplit,
            SplitSummary.Leakage leakage) {
    }

    private ManifestWriter() {
    }

    /**
     * Writes the six manifest files of a plan under {@code prefix} (a key ending in {@code /}).
     *
     * @param bucket  the bucket of the images (for {@code source-ref})
     * @param dataset the dataset (images are at {@code images/<dataset>/<imageId>})
     */
    public static Output write(SplitPlan plan, ManifestStore store, String bucket, String dataset, String prefix)
            throws IOException {
        ManifestRowEncoder encoder = new ManifestRowEncoder(plan.index(), bucket, dataset);
        WrittenRows written = new WrittenRows(plan);
        for (SplitName s : SplitName.values()) {
            ShuffledRows rows = ShuffledRows.of(plan, s);
            try (OutputStream jsonl = new BufferedOutputStream(
                    store.create(prefix + s.id() + ".jsonl", "application/jsonl"), BUFFER);
                    OutputStream csv = new BufferedOutputStream(
                            store.create(prefix + s.id() + ".csv", "text/csv; charset=utf-8"), BUFFER)) {
                csv.write((CSV_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
                for (int position = 0; position < rows.size(); position++) {
                    int row = rows.row(position);
                    int owner = rows.owner(row);
                    int i = rows.image(owner);
                    written.add(s, i);
                    encoder.write(i, rows.copy(owner, row), jsonl, csv);
                }
            }
        }
        return written.output();
    }
}
