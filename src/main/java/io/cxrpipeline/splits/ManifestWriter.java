package io.cxrpipeline.splits;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.cxrpipeline.common.Hashes;

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
    public static final String CSV_HEADER = "filename,class,class_index,subtype,patient,copy,source_ref";

    private static final long SALT_ROWS = 0x726f7773L;
    private static final byte[] SOURCE_REF = "{\"source-ref\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PATIENT = ",\"patient\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COPY = ",\"copy\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OBJECT = "}\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
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
        CompactIndex index = plan.index();
        int n = index.size();
        int classes = index.classes().size();
        int subtypes = index.subtypeCount() + 1;
        SplitName[] names = SplitName.values();
        long[] rows = new long[names.length];
        long[][][] after = new long[names.length][classes][subtypes];
        byte[] imageMask = new byte[n];

        String keyPrefix = "images/" + dataset + "/";
        byte[] sourceRefPrefix = jsonBody("s3://" + bucket + "/" + keyPrefix);
        byte[] csvKeyPrefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
        boolean csvKeyPrefixQuoted = !csv(keyPrefix).equals(keyPrefix);
        String uriPrefix = "s3://" + bucket + "/" + keyPrefix;
        byte[] csvUriPrefix = uriPrefix.getBytes(StandardCharsets.UTF_8);
        boolean csvUriPrefixQuoted = !csv(uriPrefix).equals(uriPrefix);
        byte[][] classJson = new byte[classes][];
        byte[][] classCsv = new byte[classes][];
        for (int c = 0; c < classes; c++) {
            String name = index.classes().get(c);
            classJson[c] = ("\",\"class\":\"" + c + "\",\"class-name\":" + jsonString(name) + ",\"subtype\":")
                    .getBytes(StandardCharsets.UTF_8);
            classCsv[c] = ("," + csv(name) + "," + c + ",").getBytes(StandardCharsets.UTF_8);
        }
        byte[][] subtypeJson = new byte[subtypes][];
        byte[][] subtypeCsv = new byte[subtypes][];
        for (int t = 0; t < subtypes; t++) {
            String name = index.subtypeName(t - 1);
            subtypeJson[t] = (name == null ? "null" : jsonString(name)).getBytes(StandardCharsets.UTF_8);
            subtypeCsv[t] = (name == null ? "" : csv(name)).getBytes(StandardCharsets.UTF_8);
        }

        for (SplitName s : names) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (plan.split(i) == s.ordinal() && plan.uses(i) > 0) {
                    m++;
                }
            }
            int[] images = new int[m];
            int[] rowStart = new int[m + 1];
            long total = 0;
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (plan.split(i) == s.ordinal() && plan.uses(i) > 0) {
                    images[j] = i;
                    rowStart[j] = (int) total;
                    total += plan.uses(i);
                    if (total > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("the " + s.id() + " manifest would exceed "
                                + Integer.MAX_VALUE + " rows");
                    }
                    j++;
                }
            }
            rowStart[m] = (int) total;
            // Row order: a seeded shuffle (hash of seed, image and copy number; ties by row number), so that a
            // reader streaming the manifest without shuffling does not see one class after the other.
            long[] order = new long[(int) total];
            int r = 0;
            for (int k = 0; k < m; k++) {
                int i = images[k];
                for (int copy = 0; copy < plan.uses(i); copy++) {
                    long h = Hashes.seeded(plan.parameters().seed(), SALT_ROWS + s.ordinal(),
                            index.idHash(i) ^ Hashes.mix(copy + 1L));
                    order[r] = ((h >>> 33) << 32) | r;
                    r++;
                }
            }
            Arrays.sort(order);
            rows[s.ordinal()] = total;

            try (OutputStream jsonl = new BufferedOutputStream(
                    store.create(prefix + s.id() + ".jsonl", "application/jsonl"), BUFFER);
                    OutputStream csv = new BufferedOutputStream(
                            store.create(prefix + s.id() + ".csv", "text/csv; charset=utf-8"), BUFFER)) {
                csv.write((CSV_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
                for (long sortKey : order) {
                    int row = (int) (sortKey & 0xffffffffL);
                    int k = Arrays.binarySearch(rowStart, 0, m, row);
                    if (k < 0) {
                        // Not an image's first row: the image is the one whose first row precedes it.
                        k = -k - 2;
                    }
                    int i = images[k];
                    int copy = row - rowStart[k];
                    int c = index.label(i);
                    int t = index.subtype(i) + 1;
                    after[s.ordinal()][c][t]++;
                    imageMask[i] |= (byte) (1 << s.ordinal());
                    // Ids are written from the index's bytes; only the rare id that needs escaping becomes a String.
                    int specials = index.idSpecials(i);
                    String patient = index.patientName(index.patient(i));
                    byte[] copyText = Integer.toString(copy).getBytes(StandardCharsets.US_ASCII);

                    jsonl.write(SOURCE_REF);
                    jsonl.write(sourceRefPrefix);
                    if ((specials & CompactIndex.JSON_SPECIAL) == 0) {
                        index.writeImageId(i, jsonl);
                    } else {
                        jsonl.write(jsonBody(index.imageId(i)));
                    }
                    jsonl.write(classJson[c]);
                    jsonl.write(subtypeJson[t]);
                    jsonl.write(PATIENT);
                    jsonl.write(patient == null ? NULL : jsonString(patient).getBytes(StandardCharsets.UTF_8));
                    jsonl.write(COPY);
                    jsonl.write(copyText);
                    jsonl.write(END_OBJECT);

                    if ((specials & CompactIndex.CSV_SPECIAL) == 0 && !csvKeyPrefixQuoted) {
                        csv.write(csvKeyPrefix);
                        index.writeImageId(i, csv);
                    } else {
                        csv.write(csv(keyPrefix + index.imageId(i)).getBytes(StandardCharsets.UTF_8));
                    }
                    csv.write(classCsv[c]);
                    csv.write(subtypeCsv[t]);
                    csv.write(',');
                    if (patient != null) {
                        csv.write(csv(patient).getBytes(StandardCharsets.UTF_8));
                    }
                    csv.write(',');
                    csv.write(copyText);
                    csv.write(',');
                    if ((specials & CompactIndex.CSV_SPECIAL) == 0 && !csvUriPrefixQuoted) {
                        csv.write(csvUriPrefix);
                        index.writeImageId(i, csv);
                    } else {
                        csv.write(csv("s3://" + bucket + "/" + keyPrefix + index.imageId(i))
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    csv.write('\n');
                }
            }
        }
        return check(plan, rows, after, imageMask);
    }

    /** The leakage check and per-split entity counts, from the rows written (image masks). */
    private static Output check(SplitPlan plan, long[] rows, long[][][] after, byte[] imageMask) {
        CompactIndex index = plan.index();
        int n = index.size();
        byte[] patientMask = new byte[index.patientCount()];
        byte[] groupMask = new byte[plan.groupCount()];
        long imagesInSeveral = 0;
        for (int i = 0; i < n; i++) {
            byte mask = imageMask[i];
            if (Integer.bitCount(mask & 0xff) > 1) {
                imagesInSeveral++;
            }
            if (index.patient(i) >= 0) {
                patientMask[index.patient(i)] |= mask;
            }
            groupMask[plan.group(i)] |= mask;
        }
        long contentInSeveral = 0;
        int[] byContent = LeakageGroups.imagesByContent(index);
        int runMask = 0;
        for (int k = 0; k < byContent.length; k++) {
            if (k > 0 && index.content(byContent[k]) != index.content(byContent[k - 1])) {
                contentInSeveral += Integer.bitCount(runMask) > 1 ? 1 : 0;
                runMask = 0;
            }
            runMask |= imageMask[byContent[k]] & 0xff;
        }
        contentInSeveral += Integer.bitCount(runMask) > 1 ? 1 : 0;
        long[] patientsPerSplit = new long[rows.length];
        long patientsInSeveral = countMasks(patientMask, patientsPerSplit);
        long[] groupsPerSplit = new long[rows.length];
        long groupsInSeveral = countMasks(groupMask, groupsPerSplit);
        boolean passed = imagesInSeveral == 0 && patientsInSeveral == 0 && contentInSeveral == 0
                && groupsInSeveral == 0;
        return new Output(rows, after, patientsPerSplit, groupsPerSplit,
                new SplitSummary.Leakage("the rows of train.jsonl, val.jsonl and test.jsonl", imagesInSeveral,
                        patientsInSeveral, contentInSeveral, groupsInSeveral, passed));
    }

    private static long countMasks(byte[] masks, long[] perSplit) {
        long several = 0;
        for (byte mask : masks) {
            int m = mask & 0xff;
            if (Integer.bitCount(m) > 1) {
                several++;
            }
            for (int s = 0; s < perSplit.length; s++) {
                if ((m & (1 << s)) != 0) {
                    perSplit[s]++;
                }
            }
        }
        return several;
    }

    /** A JSON string literal. */
    static String jsonString(String s) {
        return "\"" + new String(jsonBody(s), StandardCharsets.UTF_8) + "\"";
    }

    /** The escaped content of a JSON string literal, UTF-8. */
    static byte[] jsonBody(String s) {
        StringBuilder b = null;
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            String esc = switch (ch) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> ch < 0x20 ? String.format("\\u%04x", (int) ch) : null;
            };
            if (esc != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, k);
            }
            if (b != null) {
                if (esc != null) {
                    b.append(esc);
                } else {
                    b.append(ch);
                }
            }
        }
        return (b == null ? s : b.toString()).getBytes(StandardCharsets.UTF_8);
    }

    /** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
