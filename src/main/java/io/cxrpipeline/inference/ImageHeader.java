package io.cxrpipeline.inference;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Format and dimensions of an image as its header declares them, read without decoding any pixel. */
@RegisterForReflection
public record ImageHeader(String format, int width, int height) {

    public static final String JPEG = "jpeg";
    public static final String PNG = "png";

    /** Width x height, as a long: a hostile header can declare more than {@link Integer#MAX_VALUE} pixels. */
    public long pixels() {
        return (long) width * height;
    }

    /**
     * Reads the header: the PNG IHDR chunk, or the JPEG markers up to the first SOF segment.
     *
     * @throws InvalidImageException when the bytes are empty, not JPEG/PNG, or end before the dimensions
     */
    public static ImageHeader read(byte[] b) {
        if (b == null || b.length == 0) {
            throw new InvalidImageException("the image is empty (0 bytes)");
        }
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == '\r' && b[5] == '\n' && b[6] == 0x1a && b[7] == '\n') {
            return png(b);
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return jpeg(b);
        }
        throw new InvalidImageException("not a JPEG or PNG image");
    }

    private static ImageHeader png(byte[] b) {
        // Signature (8), then the first chunk must be IHDR: length (4) "IHDR" (4) width (4) height (4).
        if (b.length < 24) {
            throw new InvalidImageException("the PNG image is truncated: it ends before its IHDR header");
        }
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw new InvalidImageException("the PNG image is corrupt: its first chunk is not IHDR");
        }
        long width = u32(b, 16);
        long height = u32(b, 20);
        return checked(PNG, width, height);
    }

    private static ImageHeader jpeg(byte[] b) {
        int i = 2;
        while (true) {
            // Markers may be preceded by any number of 0xFF fill bytes.
            while (i < b.length && (b[i] & 0xff) == 0xff) {
                i++;
            }
            if (i >= b.length) {
                break;
            }
            int marker = b[i++] & 0xff;
            if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                continue; // standalone markers: no length
            }
            if (marker == 0xd9 || marker == 0xda) {
                throw new InvalidImageException("the JPEG image is corrupt: no frame header before its image data");
            }
            if (i + 2 > b.length) {
                break;
            }
            int length = u16(b, i);
            if (length < 2) {
                throw new InvalidImageException("the JPEG image is corrupt: a segment has length " + length);
            }
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                // SOFn: length (2) precision (1) height (2) width (2) components (1)
                if (i + 7 > b.length) {
                    break;
                }
                int height = u16(b, i + 3);
                int width = u16(b, i + 5);
                if (height == 0) {
                    throw new InvalidImageException("the JPEG image declares its height later (DNL): not supported");
                }
                return checked(JPEG, width, height);
            }
            i += length;
        }
        throw new InvalidImageException("the JPEG image is truncated: it ends before its frame header");
    }

    private static ImageHeader checked(String format, long width, long height) {
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new InvalidImageException("the " + format.toUpperCase(java.util.Locale.ROOT)
                    + " image declares impossible dimensions " + width + "x" + height);
        }
        return new ImageHeader(format, (int) width, (int) height);
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }
}
