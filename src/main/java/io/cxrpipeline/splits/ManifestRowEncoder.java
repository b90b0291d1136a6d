package io.cxrpipeline.splits;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes one image's row to the JSON Lines and the CSV manifest, from byte fragments prepared once per plan so that
 * a row costs no string building unless an id needs escaping.
 */
final class ManifestRowEncoder {

    private static final byte[] SOURCE_REF = "{\"source-ref\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PATIENT = ",\"patient\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COPY = ",\"copy\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT = ",\"content\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OBJECT = "}\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private final CompactIndex index;
    /** The hex digits of the row being written (the encoder writes one row at a time). */
    private final byte[] hex = new byte[16];
    private final String keyPrefix;
    private final String uriPrefix;
    private final byte[] sourceRefPrefix;
    private final byte[] csvKeyPrefix;
    private final boolean csvKeyPrefixQuoted;
    private final byte[] csvUriPrefix;
    private final boolean csvUriPrefixQuoted;
    /** Per class, what follows the image id in JSON up to the subtype, and in CSV up to the subtype. */
    private final byte[][] classJson;
    private final byte[][] classCsv;
    /** Per subtype (index subtype + 1), its JSON value and its CSV field. */
    private final byte[][] subtypeJson;
    private final byte[][] subtypeCsv;

    /** For images at {@code images/<dataset>/<imageId>} in {@code bucket}. */
    ManifestRowEncoder(CompactIndex index, String bucket, String dataset) {
        this.index = index;
        keyPrefix = "images/" + dataset + "/";
        uriPrefix = "s3://" + bucket + "/" + keyPrefix;
        sourceRefPrefix = jsonBody(uriPrefix);
        csvKeyPrefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
        csvKeyPrefixQuoted = !csv(keyPrefix).equals(keyPrefix);
        csvUriPrefix = uriPrefix.getBytes(StandardCharsets.UTF_8);
        csvUriPrefixQuoted = !csv(uriPrefix).equals(uriPrefix);
        int classes = index.classes().size();
        classJson = new byte[classes][];
        classCsv = new byte[classes][];
        for (int c = 0; c < classes; c++) {
            String name = index.classes().get(c);
            classJson[c] = ("\",\"class\":\"" + c + "\",\"class-name\":" + jsonString(name) + ",\"subtype\":")
                    .getBytes(StandardCharsets.UTF_8);
            classCsv[c] = ("," + csv(name) + "," + c + ",").getBytes(StandardCharsets.UTF_8);
        }
        int subtypes = index.subtypeCount() + 1;
        subtypeJson = new byte[subtypes][];
        subtypeCsv = new byte[subtypes][];
        for (int t = 0; t < subtypes; t++) {
            String name = index.subtypeName(t - 1);
            subtypeJson[t] = (name == null ? "null" : jsonString(name)).getBytes(StandardCharsets.UTF_8);
            subtypeCsv[t] = (name == null ? "" : csv(name)).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Writes the {@code copy}-th row of image {@code i} to both manifests. */
    void write(int i, int copy, OutputStream jsonl, OutputStream csv) throws IOException {
        int c = index.label(i);
        int t = index.subtype(i) + 1;
        // Ids are written from the index's bytes; only the rare id that needs escaping becomes a String.
        int specials = index.idSpecials(i);
        String patient = index.patientName(index.patient(i));
        byte[] copyText = Integer.toString(copy).getBytes(StandardCharsets.US_ASCII);
        writeJson(jsonl, i, c, t, specials, patient, copyText);
        writeCsv(csv, i, c, t, specials, patient, copyText);
    }

    private void writeJson(OutputStream jsonl, int i, int c, int t, int specials, String patient, byte[] copyText)
            throws IOException {
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
        jsonl.write(CONTENT);
        long content = index.content(i);
        if (content == CompactIndex.NO_CONTENT) {
            jsonl.write(NULL);
        } else {
            jsonl.write('"');
            writeHex(jsonl, content);
            jsonl.write('"');
        }
        jsonl.write(END_OBJECT);
    }

    private void writeCsv(OutputStream csv, int i, int c, int t, int specials, String patient, byte[] copyText)
            throws IOException {
        writeCsvId(csv, i, specials, keyPrefix, csvKeyPrefix, csvKeyPrefixQuoted);
        csv.write(classCsv[c]);
        csv.write(subtypeCsv[t]);
        csv.write(',');
        if (patient != null) {
            csv.write(csv(patient).getBytes(StandardCharsets.UTF_8));
        }
        csv.write(',');
        csv.write(copyText);
        csv.write(',');
        writeCsvId(csv, i, specials, uriPrefix, csvUriPrefix, csvUriPrefixQuoted);
        csv.write(',');
        long content = index.content(i);
        if (content != CompactIndex.NO_CONTENT) {
            writeHex(csv, content);
        }
        csv.write('\n');
    }

    /**
     * The content hash as 16 hex digits: identical bytes (same ETag and size) give the same value in every split of
     * the dataset, which lets a reader of two manifests find identical images under different names.
     */
    private void writeHex(OutputStream out, long h) throws IOException {
        for (int d = 0; d < 16; d++) {
            hex[d] = HEX[(int) (h >>> (60 - 4 * d)) & 0xf];
        }
        out.write(hex); // one call per row: the streams are shared by a million rows
    }

    /** The image id behind a prefix as one CSV field; quoted, through a String, only when the field needs it. */
    private void writeCsvId(OutputStream csv, int i, int specials, String prefix, byte[] prefixBytes,
            boolean prefixQuoted) throws IOException {
        if ((specials & CompactIndex.CSV_SPECIAL) == 0 && !prefixQuoted) {
            csv.write(prefixBytes);
            index.writeImageId(i, csv);
        } else {
            csv.write(csv(prefix + index.imageId(i)).getBytes(StandardCharsets.UTF_8));
        }
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
