package io.cxrpipeline.ingest;

/**
 * The reasons the index records for REJECTED and DUPLICATE objects. They are part of the contract
 * (users filter on them, tests assert them): change them only with the documentation.
 */
public final class Reasons {

    public static final String ZERO_BYTES = "zero bytes";
    public static final String NOT_AN_IMAGE = "not an image";
    public static final String CORRUPT_JPEG = "corrupt JPEG header";
    public static final String CORRUPT_PNG = "corrupt PNG header";
    public static final String TRUNCATED_JPEG = "truncated JPEG: no end-of-image marker";
    public static final String TRUNCATED_PNG = "truncated PNG: no IEND chunk";
    public static final String NO_CLASS_FOLDER = "no class folder";

    private Reasons() {
    }

    public static String unknownClass(String name) {
        return "unknown class '" + name + "'";
    }

    public static String unsupportedFormat(String format) {
        return "unsupported format " + format;
    }

    public static String tooManyPixels(long width, long height, long limit) {
        return "dimensions " + width + "x" + height + " over the pixel limit of " + limit;
    }

    public static String duplicateOf(String imageId) {
        return "same content as " + imageId;
    }

    public static String labelConflict(String imageId, String label) {
        return "label conflict: same content as " + imageId + " labelled " + label;
    }
}
