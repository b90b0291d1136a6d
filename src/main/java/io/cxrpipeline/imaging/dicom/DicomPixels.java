package io.cxrpipeline.imaging.dicom;

import java.util.Locale;

/**
 * Turns the uncompressed pixel data of a monochrome DICOM image into the 8-bit grey image the model sees, with the
 * formula the training program applies to pydicom's pixel array ({@code cxrtrain.data.dicom_gray}; docs/dicom.md):
 * stored values masked to BitsStored (sign-extended when PixelRepresentation is 1), rescaled by slope and intercept,
 * then the first window (VOILUTFunction LINEAR, LINEAR_EXACT or SIGMOID) or, without one, the image's min–max, to
 * [0, 1]; MONOCHROME1 inverted; {@code floor(y * 255 + 0.5)}. Plain Java, no AWT.
 */
public final class DicomPixels {

    private DicomPixels() {
    }

    /**
     * The grey image, rows × columns, row-major.
     *
     * @param file   the whole file
     * @param header its header, accepted by {@link DicomPolicy#whyRefused}
     * @throws IllegalArgumentException when the header was not accepted or the pixel data lies outside the file
     */
    public static byte[] grey(byte[] file, DicomHeader header) {
        String why = DicomPolicy.whyRefused(header, file.length);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        int n = header.rows() * header.columns();
        Stored stored = new Stored(file, header);
        String function = header.voiLutFunction() == null ? "LINEAR"
                : header.voiLutFunction().toUpperCase(Locale.ROOT);
        Double c = header.windowCenter();
        Double w = header.windowWidth();
        boolean windowed = c != null && w != null;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        if (!windowed) {
            // A first pass for the range: no array of n doubles (a 40-megapixel image would need 320 MB).
            for (int i = 0; i < n; i++) {
                double v = stored.modality(i);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        boolean invert = "MONOCHROME1".equals(header.photometric());
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            double x = stored.modality(i);
            double y;
            if (!windowed) {
                y = max > min ? (x - min) / (max - min) : 0.0;
            } else {
                y = window(x, c, w, function);
            }
            if (invert) {
                y = 1.0 - y;
            }
            double g = Math.floor(y * 255.0 + 0.5);
            out[i] = (byte) (int) Math.max(0.0, Math.min(255.0, g));
        }
        return out;
    }

    /** PS3.3 C.11.2.1.2 and C.11.2.1.3, with the output range [0, 1]. */
    static double window(double x, double c, double w, String function) {
        double y;
        switch (function) {
            case "LINEAR_EXACT" -> y = (x - c) / w + 0.5;
            case "SIGMOID" -> y = 1.0 / (1.0 + Math.exp(-4.0 * (x - c) / w));
            default -> {
                double lo = c - 0.5 - (w - 1.0) / 2.0;
                double hi = c - 0.5 + (w - 1.0) / 2.0;
                if (x <= lo) {
                    y = 0.0;
                } else if (x > hi) {
                    y = 1.0;
                } else {
                    y = (x - (c - 0.5)) / (w - 1.0) + 0.5;
                }
            }
        }
        return Math.max(0.0, Math.min(1.0, y));
    }

    /** Stored values to modality values: masked to BitsStored, sign-extended, times slope plus intercept. */
    private static final class Stored {
        private final byte[] b;
        private final int offset;
        private final boolean wide;
        private final int bits;
        private final long mask;
        private final long sign;
        private final boolean signed;
        private final double slope;
        private final double intercept;

        Stored(byte[] b, DicomHeader h) {
            this.b = b;
            this.offset = (int) h.pixelDataOffset();
            this.wide = h.bitsAllocated() == 16;
            this.bits = h.bitsStored();
            this.mask = (1L << bits) - 1;
            this.sign = 1L << (bits - 1);
            this.signed = h.pixelRepresentation() == 1;
            this.slope = h.rescaleSlope();
            this.intercept = h.rescaleIntercept();
        }

        double modality(int i) {
            long v = wide ? (b[offset + 2 * i] & 0xFF) | ((b[offset + 2 * i + 1] & 0xFF) << 8) : b[offset + i] & 0xFF;
            v &= mask;
            if (signed && v >= sign) {
                v -= 1L << bits;
            }
            return v * slope + intercept;
        }
    }
}
