package io.cxrpipeline.ingest;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import io.cxrpipeline.imaging.ImageCorpus;

/** Real image bytes for tests, made with ImageIO, and ways to damage them. */
public final class TestImages {

    private TestImages() {
    }

    /** A grayscale JPEG with some texture (so that it is not trivially small). */
    public static byte[] jpeg(int width, int height, long seed) {
        return jpeg(gray(width, height, seed), false);
    }

    public static byte[] progressiveJpeg(int width, int height, long seed) {
        return jpeg(gray(width, height, seed), true);
    }

    public static byte[] rgbJpeg(int width, int height, long seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, r.nextInt(0xFFFFFF));
            }
        }
        return jpeg(img, false);
    }

    public static byte[] png(int width, int height, int type, long seed) {
        BufferedImage img = new BufferedImage(width, height, type);
        Random r = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, 0xFF000000 | r.nextInt(0xFFFFFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A PNG that is only a header declaring the given size (and an IEND): no reader should ever decode it. */
    public static byte[] pngHeaderOnly(long width, long height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt((int) width).putInt((int) height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A DICOM CT image (a modality the pipeline refuses), 8 x 8. */
    public static byte[] dicom() {
        return io.cxrpipeline.local.sample.DicomWriter.radiograph(io.cxrpipeline.local.sample.DicomWriter.EXPLICIT_VR_LE,
                8, 8, new int[64], 16, 12, false, "MONOCHROME2").put(0x00080060, "CS", "CT").toBytes();
    }

    /** The reason a {@link #dicom()} image is refused. */
    public static final String DICOM_REASON = "DICOM modality CT, not CR or DX";

    /** A DICOM chest radiograph that is indexed: DX, PA, 12 bits, the given patient and SOP instance. */
    public static byte[] dicomChest(String patientId, String sopInstanceUid, long seed) {
        int[] px = new int[32 * 24];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(4096);
        }
        return io.cxrpipeline.local.sample.DicomWriter.radiograph(io.cxrpipeline.local.sample.DicomWriter.EXPLICIT_VR_LE,
                32, 24, px, 16, 12, false, "MONOCHROME2").put(0x00185101, "CS", "PA").put(0x00100020, "LO", patientId)
                .put(0x00080018, "UI", sopInstanceUid).put(0x0020000D, "UI", "1.2.3.100." + patientId.length())
                .toBytes();
    }

    public static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] cut(byte[] b, int length) {
        return Arrays.copyOf(b, length);
    }

    /** Inserts a JPEG application segment right after SOI (pushes the frame header further in). */
    public static byte[] withAppSegment(byte[] jpeg, int payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        int left = payload;
        while (left > 0) {
            int n = Math.min(left, 65533);
            out.write(0xFF);
            out.write(0xE1);
            out.write((n + 2) >> 8);
            out.write((n + 2) & 0xFF);
            out.writeBytes(new byte[n]);
            left -= n;
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Inserts a comment segment after SOI: different bytes (and ETag), same image. */
    public static byte[] withComment(byte[] jpeg, String comment) {
        byte[] c = comment.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        out.write(0xFF);
        out.write(0xFE);
        out.write((c.length + 2) >> 8);
        out.write((c.length + 2) & 0xFF);
        out.writeBytes(c);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static BufferedImage gray(int width, int height, long seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        Random r = new Random(seed);
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i % width) * 255 / width / 2 + r.nextInt(64));
        }
        return img;
    }

    private static byte[] jpeg(BufferedImage img, boolean progressive) {
        return ImageCorpus.jpeg(img, progressive, null, 0);
    }
}
