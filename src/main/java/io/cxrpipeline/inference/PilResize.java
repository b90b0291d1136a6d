package io.cxrpipeline.inference;

/**
 * Pillow's bilinear resize ({@code Image.resize(size, Image.BILINEAR)}, which torchvision's {@code Resize} calls
 * on PIL images), reproduced to the bit on 8-bit planes: the triangle filter widened by the scale factor
 * (antialiasing when shrinking), Pillow's coefficient rounding, 22-bit fixed-point accumulation, horizontal
 * pass first, each pass rounded and clipped to 8 bits.
 */
final class PilResize {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PilResize() {
    }

    /** Filter taps for one axis: output i reads {@code count[i]} inputs from {@code first[i]}. */
    record Coefficients(int ksize, int[] first, int[] count, int[] weights) {
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for the bilinear filter. */
    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 1.0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double t = Math.abs((x + xmin - center + 0.5) * ss);
                double w = t < 1.0 ? 1.0 - t : 0.0;
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(ksize, first, count, weights);
    }

    /** Resizes a {@code w x h} plane (row stride {@code w}) to {@code outW x outH}. */
    static byte[] resize(byte[] src, int w, int h, int outW, int outH) {
        return resize(src, w, h, outW, outH, coefficients(w, outW), coefficients(h, outH));
    }

    static byte[] resize(byte[] src, int w, int h, int outW, int outH, Coefficients horiz, Coefficients vert) {
        boolean needH = outW != w;
        boolean needV = outH != h;
        if (!needH && !needV) {
            return src;
        }
        byte[] tmp = src;
        int tmpRow0 = 0;
        if (needH) {
            // Only the rows the vertical pass will read, as Pillow does.
            int rowFirst = needV ? vert.first()[0] : 0;
            int rowLast = needV ? vert.first()[outH - 1] + vert.count()[outH - 1] : h;
            tmp = new byte[(rowLast - rowFirst) * outW];
            tmpRow0 = rowFirst;
            int ks = horiz.ksize();
            int[] first = horiz.first();
            int[] count = horiz.count();
            int[] kk = horiz.weights();
            for (int y = rowFirst; y < rowLast; y++) {
                int inRow = y * w;
                int outRow = (y - rowFirst) * outW;
                for (int xx = 0; xx < outW; xx++) {
                    int ss = HALF;
                    int base = inRow + first[xx];
                    int kb = xx * ks;
                    for (int x = 0, n = count[xx]; x < n; x++) {
                        ss += (src[base + x] & 0xff) * kk[kb + x];
                    }
                    tmp[outRow + xx] = clip8(ss);
                }
            }
        }
        if (!needV) {
            return tmp;
        }
        int tw = needH ? outW : w;
        byte[] out = new byte[outW * outH];
        int ks = vert.ksize();
        int[] first = vert.first();
        int[] count = vert.count();
        int[] kk = vert.weights();
        int[] acc = new int[outW];
        for (int yy = 0; yy < outH; yy++) {
            // Row by row (integer sums are order-independent, so this is still Pillow's result).
            java.util.Arrays.fill(acc, HALF);
            int y0 = first[yy] - tmpRow0;
            int kb = yy * ks;
            for (int y = 0, n = count[yy]; y < n; y++) {
                int k = kk[kb + y];
                int row = (y0 + y) * tw;
                for (int xx = 0; xx < outW; xx++) {
                    acc[xx] += (tmp[row + xx] & 0xff) * k;
                }
            }
            int outRow = yy * outW;
            for (int xx = 0; xx < outW; xx++) {
                out[outRow + xx] = clip8(acc[xx]);
            }
        }
        return out;
    }

    private static byte clip8(int in) {
        if (in >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        if (in <= 0) {
            return 0;
        }
        return (byte) (in >> PRECISION_BITS);
    }
}
