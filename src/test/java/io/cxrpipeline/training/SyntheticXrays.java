package io.cxrpipeline.training;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

import javax.imageio.ImageIO;

/**
 * Small synthetic chest X-rays: a bright body, two darker lung fields, noise; PNEUMONIA adds one to three
 * soft bright opacities inside the lungs. The signal is learnable by a small CNN in a few epochs.
 */
final class SyntheticXrays {

    private SyntheticXrays() {
    }

    /** Grayscale pixels, row-major, 0..255. */
    static int[] pixels(boolean pneumonia, int size, Random rng) {
        double[] img = new double[size * size];
        double body = 110 + rng.nextInt(31) - 15;
        double lung = 55 + rng.nextInt(21) - 10;
        double[][] lungs = {
                {size * 0.32 + rng.nextDouble() * 4 - 2, size * 0.5 + rng.nextDouble() * 4 - 2},
                {size * 0.68 + rng.nextDouble() * 4 - 2, size * 0.5 + rng.nextDouble() * 4 - 2}};
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double v = 20;
                double bx = (x - size / 2.0) / (size / 2.0 - 4), by = (y - (size + 10) / 2.0) / ((size + 10) / 2.0);
                if (bx * bx + by * by <= 1) {
                    v = body;
                }
                for (double[] l : lungs) {
                    double lx = (x - l[0]) / (size * 0.14), ly = (y - l[1]) / (size * 0.3);
                    if (lx * lx + ly * ly <= 1) {
                        v = lung;
                    }
                }
                img[y * size + x] = v;
            }
        }
        if (pneumonia) {
            int blobs = 1 + rng.nextInt(3);
            for (int i = 0; i < blobs; i++) {
                double[] l = lungs[rng.nextInt(2)];
                double cx = l[0] + rng.nextDouble() * 8 - 4, cy = l[1] + rng.nextDouble() * 20 - 10;
                double sigma = 3 + rng.nextDouble() * 3, amplitude = 60 + rng.nextInt(41);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                        img[y * size + x] += amplitude * Math.exp(-d2 / (2 * sigma * sigma));
                    }
                }
            }
        }
        int[] out = new int[size * size];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) Math.max(0, Math.min(255, Math.round(img[i] + rng.nextGaussian() * 12)));
        }
        return out;
    }

    /** The pixels as an 8-bit grayscale PNG. */
    static byte[] png(int[] pixels, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        raster.setSamples(0, 0, size, size, 0, pixels);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
