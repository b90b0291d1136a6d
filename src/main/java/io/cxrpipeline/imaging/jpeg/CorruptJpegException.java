package io.cxrpipeline.imaging.jpeg;

/** A grey sequential JPEG whose data cannot be decoded: it is truncated, or its markers or entropy data are corrupt. */
public final class CorruptJpegException extends RuntimeException {

    private final boolean truncated;

    CorruptJpegException(String message, boolean truncated) {
        super(message);
        this.truncated = truncated;
    }

    static CorruptJpegException corrupt(String message) {
        return new CorruptJpegException(message, false);
    }

    static CorruptJpegException truncated(String message) {
        return new CorruptJpegException(message, true);
    }

    /** Whether the data ends before the image does (no end-of-image marker, or the entropy data is cut). */
    public boolean truncated() {
        return truncated;
    }
}
