package io.cxrpipeline.local.sample;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

/**
 * Draws a chest-X-ray-like grayscale image: dark background, a bright torso, two dark lung fields crossed by
 * rib arcs, a bright mediastinum and heart. Pneumonia adds opacities inside the lungs: a dense lobar
 * consolidation (bacterial) or diffuse patchy haze on both sides (viral), so that a model has a real signal
 * to learn. No patient data: everything comes from the seed.
 */
public final class SyntheticXray {

    /** What to draw. */
    public enum Finding {
        NONE, BACTERIAL, VIRAL
    }

    private SyntheticXray() {
    }

    /** Row-major 8-bit pixels, {@code width * height} bytes. */
    public static byte[] render(int width, int height, Finding finding, long seed) {
        byte[] px = new byte[width * height];
        render(px, width, height, finding, seed);
        return px;
    }

    /** The image as an 8-bit grayscale {@link BufferedImage}. */
    public static BufferedImage image(int width, int height, Finding finding, long seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        render(((DataBufferByte) img.getRaster().getDataBuffer()).getData(), width, height, finding, seed);
        return img;
    }

    /** The image as an 8-bit grayscale PNG (lossless: what a test decodes is exactly what was drawn). */
    public static byte[] png(int width, int height, Finding finding, long seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image(width, height, finding, seed), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Draws into {@code px} (row-major, {@code width * height} bytes). */
    public static void render(byte[] px, int width, int height, Finding finding, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[width * height];

        // Anatomy proportions vary a little per patient.
        double cx = width * (0.5 + (r.nextDouble() - 0.5) * 0.04);
        double torsoCy = height * 0.56;
        double torsoRx = width * (0.42 + r.nextDouble() * 0.05);
        double torsoRy = height * (0.58 + r.nextDouble() * 0.05);
        double lungDx = width * (0.17 + r.nextDouble() * 0.02);
        double lungCy = height * (0.46 + r.nextDouble() * 0.03);
        double lungRx = width * (0.14 + r.nextDouble() * 0.02);
        double lungRy = height * (0.31 + r.nextDouble() * 0.03);
        double ribPeriod = height * (0.055 + r.nextDouble() * 0.01);
        double exposure = 0.9 + r.nextDouble() * 0.2;

        // A rib profile over one period: a narrow bright band.
        int period = Math.max(8, (int) ribPeriod);
        float[] rib = new float[period];
        for (int i = 0; i < period; i++) {
            double s = Math.sin(Math.PI * i / period);
            rib[i] = (float) Math.pow(s, 6);
        }

        double invTorsoRx2 = 1 / (torsoRx * torsoRx);
        double invTorsoRy2 = 1 / (torsoRy * torsoRy);
        double invLungRy2 = 1 / (lungRy * lungRy);
        double leftCx = cx - lungDx;
        double rightCx = cx + lungDx;
        double lungTop = lungCy - lungRy;
        double mediastinumHalf = width * 0.055;
        double heartCx = cx + width * 0.05;
        double heartCy = height * (0.62 + r.nextDouble() * 0.03);
        double heartRx = width * (0.15 + r.nextDouble() * 0.03);
        double heartRy = height * 0.13;
        double clavicleY = lungTop + height * 0.02;
        double clavicleHalf = height * 0.022;
        double ribDrop = height * (0.08 + r.nextDouble() * 0.04);
        // Terms that depend on the column only, computed once per image rather than once per pixel.
        double[] torsoX = new double[width];
        double[] leftX = new double[width];
        double[] rightX = new double[width];
        double[] ribDropX = new double[width];
        double[] ribWeightX = new double[width];
        double[] mediastinumX = new double[width];
        double[] clavicleX = new double[width];
        double[] clavicleOffsetX = new double[width];
        double[] heartX = new double[width];
        for (int x = 0; x < width; x++) {
            double ax = Math.abs(x - cx);
            torsoX[x] = (x - cx) * (x - cx) * invTorsoRx2;
            leftX[x] = (x - leftCx) * (x - leftCx);
            rightX[x] = (x - rightCx) * (x - rightCx);
            double lateral = ax / (lungDx * 1.8);
            ribDropX[x] = ribDrop * lateral * lateral; // ribs run from the spine and fall away laterally
            ribWeightX[x] = smooth(mediastinumHalf * 0.8, mediastinumHalf * 1.6, ax);
            mediastinumX[x] = smooth(mediastinumHalf * 1.6, mediastinumHalf * 0.5, ax);
            clavicleX[x] = smooth(width * 0.38, width * 0.3, ax) * smooth(width * 0.03, width * 0.08, ax);
            clavicleOffsetX[x] = 0.15 * (ax - lungDx);
            double hx = (x - heartCx) / heartRx;
            heartX[x] = hx * hx;
        }
        for (int y = 0; y < height; y++) {
            double dyT = (y - torsoCy) * (y - torsoCy) * invTorsoRy2;
            double dyL = (y - lungCy) * (y - lungCy) * invLungRy2;
            // Lungs narrow towards the apex.
            double taper = 0.55 + 0.45 * clamp((y - lungTop) / (1.2 * lungRy));
            double invLungRx2 = 1 / Math.pow(lungRx * taper, 2);
            double mediastinumY = smooth(height * 0.95, height * 0.12, y);
            double hy = (y - heartCy) / heartRy;
            double hy2 = hy * hy;
            double background = 10 * (double) y / height;
            int row = y * width;
            for (int x = 0; x < width; x++) {
                double body = smooth(1.08, 0.88, torsoX[x] + dyT);
                double value;
                if (body == 0) {
                    value = 14 + background;
                } else {
                    double dl = leftX[x] * invLungRx2 + dyL;
                    double dr = rightX[x] * invLungRx2 + dyL;
                    double lung = Math.min(dl, dr) < 1 ? Math.max(smooth(1.0, 0.65, dl), smooth(1.0, 0.65, dr)) : 0;
                    int phase = (int) (y - ribDropX[x]) % period;
                    double ribs = rib[phase < 0 ? phase + period : phase] * body * (0.2 + 0.8 * lung) * ribWeightX[x];
                    double mediastinum = mediastinumX[x] * mediastinumY * body;
                    double hd = heartX[x] + hy2;
                    double heart = hd < 1.3 ? smooth(1.3, 0.2, hd) : 0;
                    double clavicle = clavicleX[x] == 0 ? 0
                            : smooth(clavicleHalf, 0, Math.abs(y - clavicleY + clavicleOffsetX[x])) * clavicleX[x];
                    value = 14 + body * 135 - lung * 90 + ribs * 42 + mediastinum * 55 + heart * 45 * lung
                            + clavicle * 35 + (1 - body) * background;
                }
                v[row + x] = (float) (value * exposure);
            }
        }

        // Vessel-like faint structure in every lung, so that a lone blob is not the whole story.
        for (int i = 0, n = 10 + r.nextInt(8); i < n; i++) {
            double bx = (r.nextBoolean() ? leftCx : rightCx) + (r.nextDouble() - 0.5) * lungRx * 1.2;
            double by = lungCy + (r.nextDouble() - 0.3) * lungRy;
            blob(v, width, height, bx, by, lungRx * (0.05 + r.nextDouble() * 0.1), 6 + r.nextDouble() * 8);
        }

        if (finding != Finding.NONE) {
            opacities(v, width, height, finding, r, leftCx, rightCx, lungCy, lungRx, lungRy);
        }

        for (int i = 0; i < px.length; i++) {
            int n = (int) (v[i] + r.nextInt(13) - 6);
            px[i] = (byte) Math.max(0, Math.min(255, n));
        }
    }

    private static void opacities(float[] v, int width, int height, Finding finding, SplittableRandom r,
            double leftCx, double rightCx, double lungCy, double lungRx, double lungRy) {
        if (finding == Finding.BACTERIAL) {
            // One dense consolidation, sometimes a second, in a lower or middle zone of one lung.
            int blobs = 1 + (r.nextInt(3) == 0 ? 1 : 0);
            double side = r.nextBoolean() ? leftCx : rightCx;
            for (int i = 0; i < blobs; i++) {
                double bx = side + (r.nextDouble() - 0.5) * lungRx * 0.8;
                double by = lungCy + (r.nextDouble() * 0.8 - 0.1) * lungRy * 0.8;
                blob(v, width, height, bx, by, lungRx * (0.5 + r.nextDouble() * 0.3), 90 + r.nextDouble() * 30);
            }
        } else {
            // Many faint patches over both lungs: interstitial haze.
            int patches = 18 + r.nextInt(14);
            for (int i = 0; i < patches; i++) {
                double bx = (r.nextBoolean() ? leftCx : rightCx) + (r.nextDouble() - 0.5) * lungRx * 1.5;
                double by = lungCy + (r.nextDouble() - 0.5) * lungRy * 1.6;
                blob(v, width, height, bx, by, lungRx * (0.15 + r.nextDouble() * 0.2), 24 + r.nextDouble() * 18);
            }
        }
    }

    /** Adds a soft disc: full {@code amplitude} at the centre, fading to zero at {@code radius}. */
    private static void blob(float[] v, int width, int height, double bx, double by, double radius, double amplitude) {
        int x0 = Math.max(0, (int) (bx - radius));
        int x1 = Math.min(width - 1, (int) (bx + radius));
        int y0 = Math.max(0, (int) (by - radius));
        int y1 = Math.min(height - 1, (int) (by + radius));
        double inv = 1 / (radius * radius);
        for (int y = y0; y <= y1; y++) {
            int row = y * width;
            double dy2 = (y - by) * (y - by);
            for (int x = x0; x <= x1; x++) {
                double d = ((x - bx) * (x - bx) + dy2) * inv;
                if (d < 1) {
                    double f = 1 - d;
                    v[row + x] += (float) (amplitude * f * f);
                }
            }
        }
    }

    private static double clamp(double t) {
        return t < 0 ? 0 : t > 1 ? 1 : t;
    }

    /** 0 at {@code edge0}, 1 at {@code edge1}, smooth in between (either direction). */
    private static double smooth(double edge0, double edge1, double x) {
        double t = (x - edge0) / (edge1 - edge0);
        if (t <= 0) {
            return 0;
        }
        if (t >= 1) {
            return 1;
        }
        return t * t * (3 - 2 * t);
    }
}
