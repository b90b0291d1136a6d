package io.cxrpipeline.training;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Fixed-width UTC timestamps: they sort as strings, which the records and version names rely on. */
final class Times {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** 2026-01-31T12:00:00.000Z */
    static String iso(Instant t) {
        return ISO.format(t);
    }

    /** 20260131T120000Z */
    static String compact(Instant t) {
        return COMPACT.format(t);
    }

    /** 20260131-120000 */
    static String idPrefix(Instant t) {
        return ID.format(t);
    }

    /** Parses an ISO-8601 instant; null when absent or malformed. */
    static Instant parse(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
