package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {

    /** Preprocessing that leaves bytes as they are (scale 1, mean 0, std 1), so outputs compare to PIL's bytes. */
    static Preprocessing identity(int size, int channels, Preprocessing.Layout layout) {
        return new Preprocessing(size, channels, layout, 1f, new float[channels], ones(channels),
                List.of("NORMAL", "PNEUMONIA"), 0.5, Preprocessing.Resize.STRETCH, Preprocessing.Output.LOGITS);
    }

    static float[] ones(int n) {
        float[] f = new float[n];
        Arrays.fill(f, 1f);
        return f;
    }

    /** Our bytes for an image, channel-planar (NCHW) at the given size. */
    static int[] ours(ImagePreprocessor pre, String name, int size) {
        byte[] bytes = Fixtures.bytes(name);
        ImageHeader h = ImageHeader.read(bytes);
        Preprocessing p = identity(size, 3, Preprocessing.Layout.NCHW);
        FloatBuffer buf = FloatBuffer.allocate(p.tensorSize());
        pre.write(pre.decode(bytes, h, p), h.width(), h.height(), p, buf, 0);
        int[] v = new int[p.tensorSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.round(buf.get(i));
        }
        return v;
    }

    /** Pillow's bytes: the reference PNG made with torchvision's resize, channel-planar. */
    static int[] pillow(String name, int size) throws IOException {
        BufferedImage ref = ImageIO.read(new ByteArrayInputStream(Fixtures.bytes(name + ".pil" + size + ".png")));
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

    @ParameterizedTest
    @CsvSource({"xray-gray.jpg,64", "xray-gray.jpg,224", "xray-gray.png,64", "xray-gray.png,224", "xray-rgb.png,64",
            "xray-rgb.png,224"})
    void fullResolutionDecodeReproducesTorchvisionResizeExactly(String name, int size) throws IOException {
        int[] ours = ours(new ImagePreprocessor(0), name, size);
        int[] pil = pillow(name, size);
        int maxDiff = 0;
        for (int i = 0; i < ours.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ours[i] - pil[i]));
        }
        assertEquals(0, maxDiff, "max difference from Pillow in 8-bit levels");
    }

    @ParameterizedTest
    @CsvSource({"xray-gray.jpg,64", "xray-gray.jpg,224", "xray-gray.png,64", "xray-rgb.png,64"})
    void subsampledDecodeStaysCloseToTorchvisionResize(String name, int size) throws IOException {
        int[] ours = ours(new ImagePreprocessor(Integer.getInteger("os", 2)), name, size);
        int[] pil = pillow(name, size);
        long sum = 0;
        int maxDiff = 0;
        for (int i = 0; i < ours.length; i++) {
            int d = Math.abs(ours[i] - pil[i]);
            sum += d;
            maxDiff = Math.max(maxDiff, d);
        }
        double mean = (double) sum / ours.length;
        System.out.printf("%s at %d: subsampled decode vs Pillow: mean |diff| %.3f, max %d (8-bit levels)%n", name, size,
                mean, maxDiff);
        assertTrue(mean < 1.0, "mean difference " + mean);
        assertTrue(maxDiff <= 16, "max difference " + maxDiff);
    }
}
