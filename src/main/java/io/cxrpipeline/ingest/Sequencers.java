package io.cxrpipeline.ingest;

import java.util.Locale;

/**
 * S3 event {@code sequencer} values: ordered per key, of varying length. AWS documents the comparison as
 * "left-pad the shorter value with zeros, then compare lexicographically"; the index stores the padded,
 * upper-case form so that DynamoDB's string comparison in condition expressions orders them the same way.
 */
public final class Sequencers {

    /** Width of the stored form. S3 sequencers are about 18 hex digits; 32 leaves ample headroom. */
    public static final int WIDTH = 32;

    private Sequencers() {
    }

    /**
     * The stored form: hex digits upper-cased and left-padded with zeros to {@link #WIDTH}.
     *
     * @return null for a null or blank value (an event without ordering information)
     * @throws IllegalArgumentException if the value is not hexadecimal or has more than {@link #WIDTH}
     *                                  significant digits
     */
    public static String normalise(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String hex = raw.trim().toUpperCase(Locale.ROOT);
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
                throw new IllegalArgumentException("sequencer is not hexadecimal: " + raw);
            }
        }
        int start = 0;
        while (start < hex.length() - 1 && hex.charAt(start) == '0') {
            start++;
        }
        String significant = hex.substring(start);
        if (significant.length() > WIDTH) {
            throw new IllegalArgumentException("sequencer has more than " + WIDTH + " hex digits: " + raw);
        }
        return "0".repeat(WIDTH - significant.length()) + significant;
    }

    /** Compares two sequencers of the same key: negative when {@code a} happened before {@code b}. */
    public static int compare(String a, String b) {
        return normalise(a).compareTo(normalise(b));
    }
}
