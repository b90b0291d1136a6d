package io.cxrpipeline.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.imaging.ImageHeaders.Result;
import io.cxrpipeline.ingest.TestImages;

class ImageHeadersTest {

    private static Result parse(byte[] b) {
        return ImageHeaders.parse(b, b.length);
    }

    @Test
    void baselineGrayscaleJpegGivesSizeChannelsAndDepth() {
        Result r = parse(TestImages.jpeg(320, 240, 1));
        assertNull(r.rejection());
        assertEquals(new ImageHeaders.ImageInfo("JPEG", 320, 240, 1, 8, false), r.info());
    }

    @Test
    void progressiveJpegIsRecognisedAsProgressive() {
        Result r = parse(TestImages.progressiveJpeg(200, 150, 2));
        assertEquals(new ImageHeaders.ImageInfo("JPEG", 200, 150, 1, 8, true), r.info());
    }

    @Test
    void colourJpegHasThreeChannels() {
        assertEquals(3, parse(TestImages.rgbJpeg(64, 48, 3)).info().channels());
    }

    @Test
    void pngGivesSizeChannelsAndDepthPerColourType() {
        assertEquals(new ImageHeaders.ImageInfo("PNG", 40, 30, 1, 8, false),
                parse(TestImages.png(40, 30, BufferedImage.TYPE_BYTE_GRAY, 1)).info());
        assertEquals(new ImageHeaders.ImageInfo("PNG", 40, 30, 3, 8, false),
                parse(TestImages.png(40, 30, BufferedImage.TYPE_INT_RGB, 1)).info());
        assertEquals(new ImageHeaders.ImageInfo("PNG", 40, 30, 4, 8, false),
                parse(TestImages.png(40, 30, BufferedImage.TYPE_INT_ARGB, 1)).info());
        assertEquals(new ImageHeaders.ImageInfo("PNG", 40, 30, 1, 16, false),
                parse(TestImages.png(40, 30, BufferedImage.TYPE_USHORT_GRAY, 1)).info());
    }

    @Test
    void hugePngHeaderIsReadWithoutDecoding() {
        Result r = parse(TestImages.pngHeaderOnly(100_000, 100_000));
        assertEquals(100_000, r.info().width());
        assertEquals(10_000_000_000L, r.info().pixels());
    }

    @Test
    void zeroBytes() {
        assertEquals(ImageHeaders.ZERO_BYTES, parse(new byte[0]).rejection());
    }

    @Test
    void textNamedJpegIsNotAnImage() {
        assertEquals(ImageHeaders.NOT_AN_IMAGE, parse(TestImages.text("hello, I am not a chest X-ray\n")).rejection());
        assertEquals(ImageHeaders.NOT_AN_IMAGE, parse(new byte[] {(byte) 0xFF}).rejection());
    }

    @Test
    void aDicomImageOfAnotherModalityIsRefusedByName() {
        assertEquals(TestImages.DICOM_REASON, parse(TestImages.dicom()).rejection());
        assertEquals(ImageHeaders.DICOM, parse(TestImages.dicom()).format());
    }

    @Test
    void otherImageFormatsAreNamed() {
        assertEquals("unsupported format GIF", parse(TestImages.text("GIF89a....")).rejection());
        assertEquals("unsupported format TIFF", parse(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0}).rejection());
        byte[] webp = TestImages.text("RIFF\0\0\0\0WEBPVP8 ");
        assertEquals("unsupported format WEBP", parse(webp).rejection());
    }

    @Test
    void jpegCutInsideItsHeaderIsTruncated() {
        byte[] jpeg = TestImages.jpeg(100, 100, 4);
        assertEquals(ImageHeaders.TRUNCATED_JPEG, parse(TestImages.cut(jpeg, 20)).rejection());
    }

    @Test
    void jpegWithAGarbledSegmentIsCorrupt() {
        byte[] jpeg = TestImages.jpeg(100, 100, 5);
        byte[] bad = jpeg.clone();
        int next = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF)); // after the first segment (APP0)
        bad[next] = 0x12; // where the next marker's 0xFF belongs
        assertEquals(ImageHeaders.CORRUPT_JPEG, parse(bad).rejection());
    }

    @Test
    void jpegWithZeroWidthIsCorrupt() {
        byte[] jpeg = TestImages.jpeg(100, 100, 6);
        int sof = sofOffset(jpeg);
        jpeg[sof + 7] = 0;
        jpeg[sof + 8] = 0;
        assertEquals(ImageHeaders.CORRUPT_JPEG, parse(jpeg).rejection());
    }

    @Test
    void lossless12BitAndArithmeticJpegsAreUnsupported() {
        byte[] jpeg = TestImages.jpeg(100, 100, 7);
        int sof = sofOffset(jpeg);
        byte[] lossless = jpeg.clone();
        lossless[sof + 1] = (byte) 0xC3;
        assertEquals("unsupported format JPEG lossless", parse(lossless).rejection());
        byte[] arithmetic = jpeg.clone();
        arithmetic[sof + 1] = (byte) 0xC9;
        assertEquals("unsupported format JPEG arithmetic-coded", parse(arithmetic).rejection());
        byte[] twelve = jpeg.clone();
        twelve[sof + 1] = (byte) 0xC1;
        twelve[sof + 4] = 12;
        assertEquals("unsupported format JPEG 12-bit", parse(twelve).rejection());
    }

    @Test
    void frameHeaderBeyondTheHeadAsksForMoreBytes() {
        byte[] jpeg = TestImages.withAppSegment(TestImages.jpeg(120, 80, 8), 100_000);
        Result first = ImageHeaders.parse(Arrays.copyOf(jpeg, 65536), jpeg.length);
        assertTrue(first.needsMore());
        assertTrue(first.needBytes() > 65536 && first.needBytes() <= jpeg.length);
        Result r = first;
        int rounds = 0;
        while (r.needsMore()) {
            r = ImageHeaders.parse(Arrays.copyOf(jpeg, r.needBytes()), jpeg.length);
            rounds++;
        }
        assertEquals(120, r.info().width());
        assertTrue(rounds <= 2, "rounds " + rounds);
    }

    @Test
    void pngWithBadHeaderChecksumIsCorrupt() {
        byte[] png = TestImages.png(10, 10, BufferedImage.TYPE_BYTE_GRAY, 9);
        png[17] ^= 0x01; // a width byte, so the IHDR CRC no longer matches
        assertEquals(ImageHeaders.CORRUPT_PNG, parse(png).rejection());
    }

    @Test
    void pngShorterThanItsHeaderIsTruncated() {
        byte[] png = TestImages.png(10, 10, BufferedImage.TYPE_BYTE_GRAY, 10);
        assertEquals(ImageHeaders.TRUNCATED_PNG, parse(TestImages.cut(png, 20)).rejection());
    }

    @Test
    void endMarkersTellCompleteFromTruncated() {
        byte[] jpeg = TestImages.jpeg(300, 300, 11);
        assertNull(ImageHeaders.checkEnd("JPEG", jpeg));
        assertEquals(ImageHeaders.TRUNCATED_JPEG, ImageHeaders.checkEnd("JPEG", TestImages.cut(jpeg, jpeg.length - 100)));
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 64); // zero padding after EOI is tolerated
        assertNull(ImageHeaders.checkEnd("JPEG", padded));
        byte[] png = TestImages.png(50, 50, BufferedImage.TYPE_BYTE_GRAY, 12);
        assertNull(ImageHeaders.checkEnd("PNG", png));
        assertEquals(ImageHeaders.TRUNCATED_PNG, ImageHeaders.checkEnd("PNG", TestImages.cut(png, png.length - 12)));
    }

    @Test
    void parsingNeverLooksAtMoreThanTheHeader() {
        // The header parse of a truncated JPEG succeeds: only the end check catches it.
        byte[] jpeg = TestImages.jpeg(300, 300, 13);
        Result r = parse(TestImages.cut(jpeg, jpeg.length / 2));
        assertFalse(r.needsMore());
        assertEquals(300, r.info().height());
    }

    private static int sofOffset(byte[] jpeg) {
        for (int i = 2; i < jpeg.length - 1; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                return i;
            }
        }
        throw new AssertionError("no SOF0");
    }
}
