package io.cxrpipeline.inference;

import java.util.List;

/**
 * Which objects {@code predict} may read through {@code s3Uri}: keys under one of the configured prefixes
 * ({@code cxr.inference.input-prefixes}, the same list the SAM template grants {@code s3:GetObject} on), made of
 * plain segments. S3 keys are opaque, so {@code images/../models/x} is not a path traversal in S3 itself; it is
 * refused anyway, because a key that reads like a path outside its prefix is never a legitimate input.
 */
public final class InputKeys {

    /** Every key of the bucket (tests and benchmarks that do not exercise the restriction). */
    static final List<String> ANY = List.of("");

    private InputKeys() {
    }

    /** Why {@code key} may not be read as an input image, or null when it may. */
    public static String refusal(String key, List<String> prefixes) {
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "the key '" + key + "' has an empty, '.' or '..' segment";
            }
        }
        for (String prefix : prefixes) {
            if (key.startsWith(prefix)) {
                return null;
            }
        }
        return "only keys under " + String.join(", ", prefixes) + " can be read, not '" + key + "'";
    }
}
