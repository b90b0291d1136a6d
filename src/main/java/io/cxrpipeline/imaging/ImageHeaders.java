package io.cxrpipeline.imaging;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import io.cxrpipeline.imaging.dicom.DicomHeader;
import io.cxrpipeline.imaging.dicom.DicomPolicy;
import io.cxrpipeline.imaging.dicom.DicomReader;

/**
 * Recognises image formats from their first bytes and reads JPEG and PNG headers without decoding a
 * pixel: fast, bounded, and free of ImageIO (which native images and Lambda memory would pay for). Indexing
 * and prediction both check images with it.
 */
public final class ImageHeaders {

    public static final String JPEG = "JPEG";
    public static final String PNG = "PNG";
    public static final String DICOM = "DICOM";

    /*
     * Rejection reasons. The index records them for REJECTED objects, so they are part of its contract (users
     * filter on them): change them only with the documentation.
     */
    public static final String ZERO_BYTES = "zero bytes";
    public static final String NOT_AN_IMAGE = "not an image";
    public static final String CORRUPT_JPEG = "corrupt JPEG header";
    public static final String CORRUPT_PNG = "corrupt PNG header";
    public static final String TRUNCATED_JPEG = "truncated JPEG: no end-of-image marker";
    public static final String TRUNCATED_PNG = "truncated PNG: no IEND chunk";

    /**
     * What a header says about an image.
     *
     * @param dicom the DICOM header of a DICOM image (bitDepth is then its BitsStored), else null
     */
    public record ImageInfo(String format, int width, int height, int channels, int bitDepth, boolean progressive,
            DicomHeader dicom) {

        public ImageInfo(String format, int width, int height, int channels, int bitDepth, boolean progressive) {
            this(format, width, height, channels, bitDepth, progressive, null);
        }

        public long pixels() {
            return (long) width * height;
        }
    }

    /**
     * The outcome of {@link #parse}: exactly one of {@code info}, {@code rejection} (one of the reasons above
     * or {@link #unsupportedFormat}), with {@code format} when one was recognised) or {@code needBytes} (the header continues past
     * the bytes given: read this many from the start and parse again).
     */
    public record Result(ImageInfo info, String format, String rejection, int needBytes) {

        static Result ok(ImageInfo info) {
            return new Result(info, info.format(), null, 0);
        }

        static Result rejected(String format, String reason) {
            return new Result(null, format, reason, 0);
        }

        static Result needMore(String format, long bytes) {
            return new Result(null, format, null, (int) Math.min(Integer.MAX_VALUE, bytes));
        }

        public boolean needsMore() {
            return needBytes > 0;
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] IEND = {'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};
    private static final byte[] EOI = {(byte) 0xFF, (byte) 0xD9};

    private ImageHeaders() {
    }

    public static String unsupportedFormat(String format) {
        return "unsupported format " + format;
    }

    /**
     * Parses the start of an object.
     *
     * @param head the first bytes of the object (all of it when it is small)
     * @param size the object's full size
     */
    public static Result parse(byte[] head, long size) {
        if (size == 0) {
            return Result.rejected(null, ZERO_BYTES);
        }
        int n = head.length;
        if (n >= 3 && u8(head, 0) == 0xFF && u8(head, 1) == 0xD8 && u8(head, 2) == 0xFF) {
            return jpeg(head, size);
        }
        if (startsWith(head, 0, PNG_SIGNATURE)) {
            return png(head, size);
        }
        if (DicomReader.isDicom(head)) {
            return dicom(head, size);
        }
        String other = otherFormat(head);
        if (other != null) {
            return Result.rejected(other, unsupportedFormat(other));
        }
        return Result.rejected(null, NOT_AN_IMAGE);
    }

    /**
     * Whether the end of the object carries the format's end marker.
     *
     * @param tail the last bytes of the object (all of it when it is small)
     * @return the truncation reason, or null when the end marker is there
     */
    public static String checkEnd(String format, byte[] tail) {
        if (JPEG.equals(format)) {
            // 0xFFD9 cannot occur inside entropy-coded data (0xFF is stuffed there), so finding it in the
            // tail means the image ends; bytes after it (padding some writers add) are allowed.
            return indexOf(tail, EOI) >= 0 ? null : TRUNCATED_JPEG;
        }
        if (PNG.equals(format)) {
            return indexOf(tail, IEND) >= 0 ? null : TRUNCATED_PNG;
        }
        return null;
    }

    private static Result jpeg(byte[] b, long size) {
        int n = b.length;
        int p = 2;
        while (true) {
            if (p >= n) {
                return jpegEnds(n, size, p + 4L);
            }
            if (u8(b, p) != 0xFF) {
                return Result.rejected(JPEG, CORRUPT_JPEG);
            }
            while (p < n && u8(b, p) == 0xFF) {
                p++; // fill bytes before a marker are legal
            }
            if (p >= n) {
                return jpegEnds(n, size, p + 4L);
            }
            int marker = u8(b, p++);
            if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                continue; // standalone markers carry no length
            }
            if (marker == 0x00 || marker == 0xD8 || marker == 0xD9 || marker == 0xDA) {
                // a stuffed byte, a second start, an end or a scan before any frame header
                return Result.rejected(JPEG, CORRUPT_JPEG);
            }
            if (p + 2 > n) {
                return jpegEnds(n, size, p + 2L);
            }
            int length = u16(b, p);
            if (length < 2) {
                return Result.rejected(JPEG, CORRUPT_JPEG);
            }
            if (isStartOfFrame(marker)) {
                if (p + length > n) {
                    return jpegEnds(n, size, (long) p + length);
                }
                return startOfFrame(b, p, length, marker);
            }
            p += length;
        }
    }

    private static Result jpegEnds(int have, long size, long need) {
        // The bytes given end inside the header: either more of the object is needed, or the object
        // itself ends there.
        if (have < size) {
            // Ask for generously more than the next segment needs: the frame header usually follows closely.
            return Result.needMore(JPEG, Math.min(Math.max(need + 4096, 2L * have), size));
        }
        return Result.rejected(JPEG, TRUNCATED_JPEG);
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static Result startOfFrame(byte[] b, int p, int length, int marker) {
        if (length < 8) {
            return Result.rejected(JPEG, CORRUPT_JPEG);
        }
        int precision = u8(b, p + 2);
        int height = u16(b, p + 3);
        int width = u16(b, p + 5);
        int components = u8(b, p + 7);
        if (components < 1 || components > 4 || length != 8 + 3 * components || width == 0 || height == 0
                || (precision != 8 && precision != 12 && precision != 16)) {
            // height 0 would defer the height to a DNL marker after the first scan: no reader we feed supports it
            return Result.rejected(JPEG, CORRUPT_JPEG);
        }
        String process = switch (marker) {
            case 0xC0, 0xC1, 0xC2 -> null;
            case 0xC3 -> "JPEG lossless";
            case 0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF -> "JPEG hierarchical";
            default -> "JPEG arithmetic-coded";
        };
        if (process != null) {
            return Result.rejected(JPEG, unsupportedFormat(process));
        }
        if (precision != 8) {
            return Result.rejected(JPEG, unsupportedFormat("JPEG " + precision + "-bit"));
        }
        if (components == 4) {
            // CMYK/YCCK: Pillow and ImageIO convert them differently (inverted Adobe CMYK, no colour management),
            // so training and predict would not see the same image.
            return Result.rejected(JPEG, unsupportedFormat("JPEG CMYK"));
        }
        if (components == 2) {
            return Result.rejected(JPEG, unsupportedFormat("JPEG with 2 components"));
        }
        return Result.ok(new ImageInfo(JPEG, width, height, components, precision, marker == 0xC2));
    }

    private static Result png(byte[] b, long size) {
        int need = 8 + 8 + 13 + 4;
        if (b.length < need) {
            return b.length < size ? Result.needMore(PNG, Math.min(need, size))
                    : Result.rejected(PNG, TRUNCATED_PNG);
        }
        long length = u32(b, 8);
        if (length != 13 || !startsWith(b, 12, "IHDR".getBytes(StandardCharsets.US_ASCII))) {
            return Result.rejected(PNG, CORRUPT_PNG);
        }
        CRC32 crc = new CRC32();
        crc.update(b, 12, 4 + 13);
        if (crc.getValue() != u32(b, 29)) {
            return Result.rejected(PNG, CORRUPT_PNG);
        }
        long width = u32(b, 16);
        long height = u32(b, 20);
        int bitDepth = u8(b, 24);
        int colorType = u8(b, 25);
        int compression = u8(b, 26);
        int filter = u8(b, 27);
        int interlace = u8(b, 28);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE
                || compression != 0 || filter != 0 || interlace > 1) {
            return Result.rejected(PNG, CORRUPT_PNG);
        }
        int channels = switch (colorType) {
            case 0 -> validDepth(bitDepth, 1, 2, 4, 8, 16) ? 1 : -1;
            case 2 -> validDepth(bitDepth, 8, 16) ? 3 : -1;
            case 3 -> validDepth(bitDepth, 1, 2, 4, 8) ? 3 : -1;
            case 4 -> validDepth(bitDepth, 8, 16) ? 2 : -1;
            case 6 -> validDepth(bitDepth, 8, 16) ? 4 : -1;
            default -> -1;
        };
        if (channels < 0) {
            return Result.rejected(PNG, CORRUPT_PNG);
        }
        return Result.ok(new ImageInfo(PNG, (int) width, (int) height, channels, bitDepth, interlace == 1));
    }

    private static Result dicom(byte[] b, long size) {
        DicomReader.Result r = DicomReader.read(b, size);
        if (r.needsMore()) {
            return Result.needMore(DICOM, r.needBytes());
        }
        if (r.rejection() != null) {
            return Result.rejected(DICOM, r.rejection());
        }
        DicomHeader h = r.header();
        String why = DicomPolicy.whyRefused(h, size);
        if (why != null) {
            return Result.rejected(DICOM, why);
        }
        return Result.ok(new ImageInfo(DICOM, h.columns(), h.rows(), 1, h.bitsStored(), false, h));
    }

    private static boolean validDepth(int depth, int... allowed) {
        for (int a : allowed) {
            if (a == depth) {
                return true;
            }
        }
        return false;
    }

    /** Formats recognised only to name them in the rejection. */
    private static String otherFormat(byte[] b) {
        if (startsWith(b, 0, ascii("GIF87a")) || startsWith(b, 0, ascii("GIF89a"))) {
            return "GIF";
        }
        if (startsWith(b, 0, new byte[] {'I', 'I', 42, 0}) || startsWith(b, 0, new byte[] {'M', 'M', 0, 42})) {
            return "TIFF";
        }
        if (b.length >= 18 && b[0] == 'B' && b[1] == 'M') {
            long dib = u8(b, 14) | (u8(b, 15) << 8) | ((long) u8(b, 16) << 16) | ((long) u8(b, 17) << 24);
            if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
                return "BMP";
            }
        }
        if (b.length >= 12 && startsWith(b, 0, ascii("RIFF")) && startsWith(b, 8, ascii("WEBP"))) {
            return "WEBP";
        }
        if (startsWith(b, 0, new byte[] {0, 0, 0, 12, 'j', 'P', ' ', ' '})
                || startsWith(b, 0, new byte[] {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51})) {
            return "JPEG 2000";
        }
        if (b.length >= 12 && startsWith(b, 4, ascii("ftyp"))) {
            String brand = new String(b, 8, 4, StandardCharsets.US_ASCII);
            if (brand.startsWith("hei") || brand.startsWith("hev") || brand.equals("mif1")) {
                return "HEIF";
            }
            if (brand.startsWith("avi")) {
                return "AVIF";
            }
        }
        return null;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] b, int offset, byte[] prefix) {
        if (b.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(byte[] b, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= b.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static long u32(byte[] b, int i) {
        return ((long) u8(b, i) << 24) | ((long) u8(b, i + 1) << 16) | ((long) u8(b, i + 2) << 8) | u8(b, i + 3);
    }
}
