package io.cxrpipeline.inference;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.Base64;

import javax.imageio.ImageIO;

/** Draws a Grad-CAM map over the model's input image: bilinear up-sampling, a blue-to-red ramp, half opacity. */
final class GradCamOverlay {

    private GradCamOverlay() {
    }

    /**
     * @param tensor the input tensor of one image (from position 0), as preprocessing wrote it
     * @param p      its preprocessing (the normalisation is undone to recover the gray levels)
     * @param grid   the map, rows x columns
     * @return the overlay as base64 PNG, p.size() pixels square
     */
    static String png(FloatBuffer tensor, Preprocessing p, float[][] grid) {
        int s = p.size();
        int plane = s * s;
        float peak = 0;
        for (float[] row : grid) {
            for (float v : row) {
                peak = Math.max(peak, v);
            }
        }
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        int gh = grid.length;
        int gw = grid[0].length;
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int at = p.layout() == Preprocessing.Layout.NCHW ? y * s + x : (y * s + x) * p.channels();
                float v = tensor.get(at) * p.std()[0] + p.mean()[0];
                int gray = Math.max(0, Math.min(255, Math.round(v / p.scale())));
                double heat = peak > 0 ? sample(grid, gh, gw, (y + 0.5) * gh / s - 0.5, (x + 0.5) * gw / s - 0.5) / peak
                        : 0;
                int[] c = ramp(heat);
                double a = 0.5 * heat;
                int r = (int) Math.round(gray * (1 - a) + c[0] * a);
                int g = (int) Math.round(gray * (1 - a) + c[1] * a);
                int b = (int) Math.round(gray * (1 - a) + c[2] * a);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }

    /** Bilinear sample at fractional cell coordinates, clamped to the grid. */
    private static double sample(float[][] g, int h, int w, double fy, double fx) {
        fy = Math.max(0, Math.min(h - 1, fy));
        fx = Math.max(0, Math.min(w - 1, fx));
        int y0 = (int) Math.floor(fy);
        int x0 = (int) Math.floor(fx);
        int y1 = Math.min(h - 1, y0 + 1);
        int x1 = Math.min(w - 1, x0 + 1);
        double dy = fy - y0;
        double dx = fx - x0;
        return (g[y0][x0] * (1 - dx) + g[y0][x1] * dx) * (1 - dy) + (g[y1][x0] * (1 - dx) + g[y1][x1] * dx) * dy;
    }

    /** 0 blue, 0.5 green-yellow, 1 red. */
    private static int[] ramp(double t) {
        int r = (int) Math.round(255 * Math.max(0, Math.min(1, 2 * t - 0.5)));
        int g = (int) Math.round(255 * Math.max(0, 1 - Math.abs(2 * t - 1)));
        int b = (int) Math.round(255 * Math.max(0, Math.min(1, 1.5 - 2 * t)));
        return new int[] {r, g, b};
    }
}
