package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Our decode + resize against torchvision's (Pillow's) on the same files, in 8-bit levels. */
class ImagePreprocessorTest {

    /** Preprocessing that leaves bytes as they are (scale 1, mean 0, std 1), so outputs compare to PIL's bytes. */
    static Preprocessing identity(int size, int channels, Preprocessing.Layout layout, Preprocessing.Resize resize) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new Preprocessing(size, channels, layout, 1f, new float[channels], ones, List.of("NORMAL", "PNEUMONIA"),
                0.5, resize, Preprocessing.Output.LOGITS);
    }

    static int[] ours(ImagePreprocessor pre, String name, Preprocessing p) {
        byte[] bytes = Fixtures.bytes(name);
        ImageHeader h = ImageHeader.read(bytes);
        FloatBuffer buf = FloatBuffer.allocate(p.tensorSize());
        pre.write(pre.decode(bytes, h, p), h.width(), h.height(), p, buf, 0);
        int[] v = new int[p.tensorSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.round(buf.get(i));
        }
        return v;
    }

    /** Our bytes, channel-planar, stretched to size. */
    static int[] ours(ImagePreprocessor pre, String name, int size) {
        return ours(pre, name, identity(size, 3, Preprocessing.Layout.NCHW, Preprocessing.Resize.STRETCH));
    }

    /** Pillow's bytes from a reference PNG made by torchvision, channel-planar. */
    static int[] pillow(String reference, int size) throws IOException {
        BufferedImage ref = ImageIO.read(new ByteArrayInputStream(Fixtures.bytes(reference)));
        int[] v = new int[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = ref.getRGB(x, y);
                v[y * size + x] = (rgb >> 16) & 0xff;
                v[size * size + y * size + x] = (rgb >> 8) & 0xff;
                v[2 * size * size + y * size + x] = rgb & 0xff;
            }
        }
        return v;
    }

    static int maxDiff(int[] a, int[] b) {
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @ParameterizedTest
    @CsvSource({"xray-gray.png,64", "xray-gray.png,224", "xray-rgb.png,64", "xray-rgb.png,224"})
    void fullResolutionDecodeReproducesTorchvisionResizeExactly(String name, int size) throws IOException {
        assertEquals(0, maxDiff(ours(new ImagePreprocessor(0), name, size), pillow(name + ".pil" + size + ".png", size)));
    }

    /** The references decode the JPEG as training does: Pillow's draft (1/8 for 64, 1/2 for 224), then the resize. */
    @ParameterizedTest
    @CsvSource({"0,64", "0,224", "3,64", "3,224"})
    void aGreyJpegIsDecodedAtTheDraftScaleAndReproducesTheTrainingDecodeExactly(int oversample, int size)
            throws IOException {
        String name = "xray-gray.jpg";
        Preprocessing p = identity(size, 3, Preprocessing.Layout.NCHW, Preprocessing.Resize.STRETCH);
        byte[] bytes = Fixtures.bytes(name);
        ImagePreprocessor.Planes planes = new ImagePreprocessor(oversample).decode(bytes, ImageHeader.read(bytes), p);
        int s = size == 64 ? 8 : 2; // 1024x800: min(1024 / size, 800 / size) = 12 or 3
        assertEquals(List.of(1024 / s, 800 / s, s, s),
                List.of(planes.width(), planes.height(), planes.subsampleX(), planes.subsampleY()));
        assertEquals(0, maxDiff(ours(new ImagePreprocessor(oversample), name, size),
                pillow(name + ".pil" + size + ".png", size)));
    }

    @ParameterizedTest
    @CsvSource({"xray-gray.png,64", "xray-rgb.png,64"})
    void subsampledDecodeStaysWithinAFewLevelsOfTorchvisionResize(String name, int size) throws IOException {
        int[] ours = ours(new ImagePreprocessor(3), name, size);
        int[] pil = pillow(name + ".pil" + size + ".png", size);
        long sum = 0;
        for (int i = 0; i < ours.length; i++) {
            sum += Math.abs(ours[i] - pil[i]);
        }
        double mean = (double) sum / ours.length;
        int max = maxDiff(ours, pil);
        System.out.printf("%s -> %d, decode oversample 3: mean |diff| %.3f, max %d levels%n", name, size, mean, max);
        assertTrue(mean < 1.0, "mean difference " + mean);
        assertTrue(max <= 8, "max difference " + max);
    }

    /** The grey JPEG's reference is torchvision's on the image Pillow's draft decodes for 64 (1/8), as predict does. */
    @ParameterizedTest
    @ValueSource(strings = {"xray-gray.jpg", "xray-gray.png", "xray-rgb.png"})
    void centreCropReproducesTorchvisionResizeThenCenterCrop(String name) throws IOException {
        Preprocessing p = identity(64, 3, Preprocessing.Layout.NCHW, Preprocessing.Resize.CENTER_CROP);
        assertEquals(0, maxDiff(ours(new ImagePreprocessor(0), name, p), pillow(name + ".pilcrop64.png", 64)));
    }

    @Test
    void channelsLastHoldsTheSameValuesInterleaved() {
        ImagePreprocessor pre = new ImagePreprocessor(3);
        int[] planar = ours(pre, "xray-rgb.png", identity(64, 3, Preprocessing.Layout.NCHW, Preprocessing.Resize.STRETCH));
        int[] last = ours(pre, "xray-rgb.png", identity(64, 3, Preprocessing.Layout.NHWC, Preprocessing.Resize.STRETCH));
        int area = 64 * 64;
        for (int i = 0; i < area; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(planar[c * area + i], last[i * 3 + c]);
            }
        }
    }

    @Test
    void grayscaleIsReplicatedToThreeChannels() {
        int[] v = ours(new ImagePreprocessor(3), "xray-gray.jpg", 64);
        int area = 64 * 64;
        assertArrayEquals(Arrays.copyOfRange(v, 0, area), Arrays.copyOfRange(v, area, 2 * area));
        assertArrayEquals(Arrays.copyOfRange(v, 0, area), Arrays.copyOfRange(v, 2 * area, 3 * area));
    }

    @Test
    void aOneChannelModelGetsPillowLuminance() {
        // Values from Pillow's Image.new("RGB", (1, 1), c).convert("L").
        byte[] l = ImagePreprocessor.luminance(new byte[][] {{(byte) 255, 0, 10}, {0, 0, (byte) 200}, {0, (byte) 255, 30}});
        assertEquals(76, l[0] & 0xff);
        assertEquals(29, l[1] & 0xff);
        assertEquals(124, l[2] & 0xff);
        int[] gray = ours(new ImagePreprocessor(0), "xray-rgb.png",
                identity(64, 1, Preprocessing.Layout.NCHW, Preprocessing.Resize.STRETCH));
        assertEquals(64 * 64, gray.length);
    }

    @Test
    void normalisationAppliesScaleMeanAndStdPerChannel() {
        Preprocessing p = new Preprocessing(64, 3, Preprocessing.Layout.NCHW, 1f / 255, new float[] {0.485f, 0.456f,
                0.406f}, new float[] {0.229f, 0.224f, 0.225f}, List.of("A", "B"), 0.5, Preprocessing.Resize.STRETCH,
                Preprocessing.Output.LOGITS);
        byte[] bytes = Fixtures.bytes("xray-gray.png");
        ImageHeader h = ImageHeader.read(bytes);
        ImagePreprocessor pre = new ImagePreprocessor(0);
        FloatBuffer buf = FloatBuffer.allocate(p.tensorSize());
        pre.write(pre.decode(bytes, h, p), h.width(), h.height(), p, buf, 0);
        int[] raw = ours(pre, "xray-gray.png", 64);
        int area = 64 * 64;
        for (int c = 0; c < 3; c++) {
            float expected = (raw[c * area + 100] / 255f - p.mean()[c]) / p.std()[c];
            assertEquals(expected, buf.get(c * area + 100), 1e-6f);
        }
    }

    @Test
    void subsamplingKeepsTheOversampledModelSize() {
        Preprocessing p = identity(224, 3, Preprocessing.Layout.NCHW, Preprocessing.Resize.STRETCH);
        assertArrayEquals(new int[] {2, 2}, new ImagePreprocessor(3).subsampling(2000, 1500, p));
        assertArrayEquals(new int[] {4, 3}, new ImagePreprocessor(2).subsampling(2000, 1500, p));
        assertArrayEquals(new int[] {1, 1}, new ImagePreprocessor(3).subsampling(600, 600, p));
        assertArrayEquals(new int[] {1, 1}, new ImagePreprocessor(0).subsampling(8000, 8000, p));
    }

    @Test
    void aTruncatedJpegIsRefusedNotPaddedWithGrey() {
        byte[] jpeg = Fixtures.bytes("xray-gray.jpg");
        for (byte[] cut : List.of(Arrays.copyOf(jpeg, jpeg.length / 2), Arrays.copyOf(jpeg, jpeg.length - 2))) {
            ImageHeader h = ImageHeader.read(cut);
            InvalidImageException e = assertThrows(InvalidImageException.class, () -> new ImagePreprocessor(3)
                    .decode(cut, h, identity(64, 3, Preprocessing.Layout.NCHW, Preprocessing.Resize.STRETCH)));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void aGreyJpegWithCorruptEntropyDataIsRefusedWithAReason() {
        byte[] jpeg = Fixtures.bytes("xray-gray.jpg").clone();
        // Overwrite the start of the entropy-coded data with 0xFF 0xD0 pairs: a restart marker where none is due.
        int sos = 0;
        while (!((jpeg[sos] & 0xff) == 0xFF && (jpeg[sos + 1] & 0xff) == 0xDA)) {
            sos++;
        }
        int data = sos + 2 + (((jpeg[sos + 2] & 0xff) << 8) | (jpeg[sos + 3] & 0xff));
        for (int i = 0; i < 64; i += 2) {
            jpeg[data + 100 + i] = (byte) 0xFF;
            jpeg[data + 101 + i] = (byte) 0xD0;
        }
        ImageHeader h = ImageHeader.read(jpeg);
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> new ImagePreprocessor(3).decode(jpeg,
                h, identity(64, 3, Preprocessing.Layout.NCHW, Preprocessing.Resize.STRETCH)));
        assertTrue(e.getMessage().startsWith("the JPEG image cannot be decoded: it is truncated or corrupt ("),
                e.getMessage());
    }
}
