package io.cxrpipeline.splits;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.cxrpipeline.common.Hashes;
import io.cxrpipeline.common.IntSort;

/**
 * The INDEXED images of a dataset as a split needs them, in compact parallel arrays sorted by image id:
 * about 60 bytes per image plus each distinct patient once. Built from a stream in any order; the sealed
 * index does not depend on that order.
 */
public final class CompactIndex {

    /** Marks "no content id" in {@link #content(int)}; real content hashes never take this value. */
    public static final long NO_CONTENT = 0L;

    private final List<String> classes;
    private final int size;
    private final byte[] idBytes;
    private final int[] idStart;
    private final long[] idHash;
    private final byte[] label;
    private final short[] subtype;
    private final String[] subtypeNames;
    private final int[] patient;
    private final String[] patientNames;
    private final long[] content;

    private CompactIndex(List<String> classes, int size, byte[] idBytes, int[] idStart, long[] idHash, byte[] label,
            short[] subtype, String[] subtypeNames, int[] patient, String[] patientNames, long[] content) {
        this.classes = classes;
        this.size = size;
        this.idBytes = idBytes;
        this.idStart = idStart;
        this.idHash = idHash;
        this.label = label;
        this.subtype = subtype;
        this.subtypeNames = subtypeNames;
        this.patient = patient;
        this.patientNames = patientNames;
        this.content = content;
    }

    /** A builder for the given classes (their order is the class index). */
    public static Builder builder(List<String> classes) {
        return new Builder(classes);
    }

    public List<String> classes() {
        return classes;
    }

    /** Number of images. */
    public int size() {
        return size;
    }

    public String imageId(int i) {
        return new String(idBytes, idStart[i], idStart[i + 1] - idStart[i], StandardCharsets.UTF_8);
    }

    /** Writes the image id's UTF-8 bytes (no copy of the id as a String). */
    public void writeImageId(int i, java.io.OutputStream out) throws java.io.IOException {
        out.write(idBytes, idStart[i], idStart[i + 1] - idStart[i]);
    }

    /** Bit of {@link #idSpecials(int)}: the id holds a character JSON escapes (quote, backslash, control). */
    public static final int JSON_SPECIAL = 1;
    /** Bit of {@link #idSpecials(int)}: the id holds a character that makes CSV quote it (comma, quote, EOL). */
    public static final int CSV_SPECIAL = 2;

    /** Which kinds of escaping the image id needs: a mask of {@link #JSON_SPECIAL} and {@link #CSV_SPECIAL}. */
    public int idSpecials(int i) {
        int mask = 0;
        for (int k = idStart[i]; k < idStart[i + 1]; k++) {
            byte b = idBytes[k];
            if (b >= 0 && b < 0x20 || b == '"' || b == '\\') {
                mask |= JSON_SPECIAL;
            }
            if (b == ',' || b == '"' || b == '\n' || b == '\r') {
                mask |= CSV_SPECIAL;
            }
        }
        return mask;
    }

    /** A stable 64-bit hash of the image id. */
    public long idHash(int i) {
        return idHash[i];
    }

    /** The class index of the image in {@link #classes()}. */
    public int label(int i) {
        return label[i];
    }

    /** The subtype index, -1 for none; see {@link #subtypeName(int)}. */
    public int subtype(int i) {
        return subtype[i];
    }

    public int subtypeCount() {
        return subtypeNames.length;
    }

    /** The subtype of a subtype index, null for -1. */
    public String subtypeName(int index) {
        return index < 0 ? null : subtypeNames[index];
    }

    /** The patient index, -1 when the image has no patient. */
    public int patient(int i) {
        return patient[i];
    }

    public int patientCount() {
        return patientNames.length;
    }

    public String patientName(int index) {
        return index < 0 ? null : patientNames[index];
    }

    /** A 64-bit hash of the content id, {@link #NO_CONTENT} when the image has none. */
    public long content(int i) {
        return content[i];
    }

    /** Bytes held by the arrays (an estimate of retained heap, for measurements). */
    public long retainedBytesEstimate() {
        long strings = 0;
        for (String p : patientNames) {
            strings += 56 + p.length();
        }
        return idBytes.length + 4L * idStart.length + 8L * size + size + 2L * size + 4L * size + 8L * size + strings;
    }

    /**
     * The state of the index a split is made from: SHA-256 over the images sorted by id, each as its id,
     * class, subtype, patient and the 64-bit hash of its content id; "sha256:" and hex.
     */
    public String digest() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[][] classBytes = new byte[classes.size()][];
        for (int c = 0; c < classes.size(); c++) {
            classBytes[c] = classes.get(c).getBytes(StandardCharsets.UTF_8);
        }
        byte[] buffer = new byte[8];
        for (int i = 0; i < size; i++) {
            sha.update(idBytes, idStart[i], idStart[i + 1] - idStart[i]);
            sha.update((byte) 0x1f);
            sha.update(classBytes[label[i]]);
            sha.update((byte) 0x1f);
            field(sha, subtypeName(subtype[i]));
            field(sha, patientName(patient[i]));
            long h = content[i];
            for (int b = 0; b < 8; b++) {
                buffer[b] = (byte) (h >>> (56 - 8 * b));
            }
            sha.update(buffer);
            sha.update((byte) 0x1e);
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static void field(MessageDigest sha, String value) {
        if (value == null) {
            sha.update((byte) 0);
        } else {
            sha.update(value.getBytes(StandardCharsets.UTF_8));
        }
        sha.update((byte) 0x1f);
    }

    static int compareBytes(byte[] a, int aFrom, int aTo, byte[] b, int bFrom, int bTo) {
        return Arrays.compareUnsigned(a, aFrom, aTo, b, bFrom, bTo);
    }

    /** Collects images in any order; {@link #build()} sorts them by id and drops repeated ids. */
    public static final class Builder {

        private final List<String> classes;
        private final Map<String, Integer> classIndex = new HashMap<>();
        private byte[] idBytes = new byte[1 << 16];
        private int idLength;
        private int[] idStart = new int[1025];
        private byte[] label = new byte[1024];
        private short[] subtype = new short[1024];
        private int[] patient = new int[1024];
        private long[] content = new long[1024];
        private int size;
        private final Map<String, Short> subtypeIndex = new HashMap<>();
        private final List<String> subtypeNames = new ArrayList<>();
        private final Map<String, Integer> patientIndex = new HashMap<>();
        private final List<String> patientNames = new ArrayList<>();

        private Builder(List<String> classes) {
            if (classes.size() > Byte.MAX_VALUE) {
                throw new IllegalArgumentException("at most " + Byte.MAX_VALUE + " classes");
            }
            this.classes = List.copyOf(classes);
            for (int i = 0; i < classes.size(); i++) {
                classIndex.put(classes.get(i), i);
            }
        }

        /**
         * Adds an image.
         *
         * @param imageId   the id (key below {@code images/<dataset>/})
         * @param labelName one of the classes
         * @param subtype   null for none
         * @param patient   null for none
         * @param contentId null for none
         */
        public Builder add(String imageId, String labelName, String subtype, String patient, String contentId) {
            Integer c = classIndex.get(labelName);
            if (c == null) {
                throw new IllegalArgumentException("unknown class " + labelName + " of " + imageId);
            }
            if (size == label.length) {
                int n = size * 2;
                idStart = Arrays.copyOf(idStart, n + 1);
                label = Arrays.copyOf(label, n);
                this.subtype = Arrays.copyOf(this.subtype, n);
                this.patient = Arrays.copyOf(this.patient, n);
                content = Arrays.copyOf(content, n);
            }
            byte[] id = imageId.getBytes(StandardCharsets.UTF_8);
            if (idLength + id.length > idBytes.length) {
                idBytes = Arrays.copyOf(idBytes, Math.max(idBytes.length * 2, idLength + id.length));
            }
            System.arraycopy(id, 0, idBytes, idLength, id.length);
            idStart[size] = idLength;
            idLength += id.length;
            idStart[size + 1] = idLength;
            label[size] = (byte) (int) c;
            this.subtype[size] = subtype == null ? -1 : subtypeIndex.computeIfAbsent(subtype, s -> {
                if (subtypeNames.size() == Short.MAX_VALUE) {
                    throw new IllegalArgumentException("too many distinct subtypes");
                }
                subtypeNames.add(s);
                return (short) (subtypeNames.size() - 1);
            });
            this.patient[size] = patient == null ? -1 : patientIndex.computeIfAbsent(patient, p -> {
                patientNames.add(p);
                return patientNames.size() - 1;
            });
            long h = contentId == null ? NO_CONTENT : Hashes.of(contentId);
            content[size] = h == NO_CONTENT && contentId != null ? 1L : h;
            size++;
            return this;
        }

        public int size() {
            return size;
        }

        /**
         * Sorts by image id (unsigned UTF-8 byte order, the same on every machine) and keeps one entry per id:
         * an image seen twice (its class changed while the index was read) keeps its lowest class index.
         */
        public CompactIndex build() {
            // Subtype numbers follow the names, not the order they were first seen in.
            String[] sortedSubtypes = subtypeNames.toArray(new String[0]);
            Arrays.sort(sortedSubtypes);
            short[] subtypeRenumber = new short[sortedSubtypes.length];
            for (short k = 0; k < sortedSubtypes.length; k++) {
                subtypeRenumber[subtypeIndex.get(sortedSubtypes[k])] = k;
            }
            int[] order = IntSort.identity(size);
            IntSort.sort(order, (a, b) -> {
                int c = compareBytes(idBytes, idStart[a], idStart[a + 1], idBytes, idStart[b], idStart[b + 1]);
                if (c != 0) {
                    return c;
                }
                c = Integer.compare(label[a], label[b]);
                if (c != 0) {
                    return c;
                }
                return Long.compare(content[a], content[b]);
            });
            int kept = 0;
            long keptBytes = 0;
            int previous = -1;
            for (int k = 0; k < size; k++) {
                int i = order[k];
                if (previous >= 0 && sameId(i, previous)) {
                    order[k] = -1;
                    continue;
                }
                previous = i;
                kept++;
                keptBytes += idStart[i + 1] - idStart[i];
            }
            byte[] ids = new byte[(int) keptBytes];
            int[] starts = new int[kept + 1];
            long[] hashes = new long[kept];
            byte[] labels = new byte[kept];
            short[] subtypes = new short[kept];
            int[] patients = new int[kept];
            long[] contents = new long[kept];
            int j = 0;
            int offset = 0;
            for (int k = 0; k < size; k++) {
                int i = order[k];
                if (i < 0) {
                    continue;
                }
                int length = idStart[i + 1] - idStart[i];
                System.arraycopy(idBytes, idStart[i], ids, offset, length);
                starts[j] = offset;
                hashes[j] = Hashes.of(ids, offset, offset + length);
                offset += length;
                labels[j] = label[i];
                subtypes[j] = subtype[i] < 0 ? -1 : subtypeRenumber[subtype[i]];
                patients[j] = patient[i];
                contents[j] = content[i];
                j++;
            }
            starts[kept] = offset;
            return new CompactIndex(classes, kept, ids, starts, hashes, labels, subtypes, sortedSubtypes, patients,
                    patientNames.toArray(new String[0]), contents);
        }

        private boolean sameId(int a, int b) {
            return compareBytes(idBytes, idStart[a], idStart[a + 1], idBytes, idStart[b], idStart[b + 1]) == 0;
        }
    }
}
