package io.cxrpipeline.imaging.jpeg;

/**
 * libjpeg-turbo's integer inverse DCTs for 8-bit samples, to the bit: {@code jpeg_idct_islow} (jidctint.c, 8x8) and
 * {@code jpeg_idct_4x4}, {@code jpeg_idct_2x2}, {@code jpeg_idct_1x1} (jidctred.c), with their 13-bit constants,
 * rounding and range-limit table. Inputs are dequantized coefficients in natural (row-major) order.
 */
final class ScaledIdct {

    private static final int CONST_BITS = 13;
    private static final int PASS1_BITS = 2;

    /**
     * libjpeg's {@code IDCT_range_limit} indexed by {@code value & 1023}: a level-shifted value clamps to 0..255 and
     * wildly out-of-range ones wrap the way libjpeg's table makes them.
     */
    private static final byte[] RANGE_LIMIT = new byte[1024];

    static {
        for (int j = 0; j < 1024; j++) {
            int v;
            if (j < 128) {
                v = j + 128;
            } else if (j < 512) {
                v = 255;
            } else if (j < 896) {
                v = 0;
            } else {
                v = j - 896;
            }
            RANGE_LIMIT[j] = (byte) v;
        }
    }

    private ScaledIdct() {
    }

    private static byte limit(long x, int shift) {
        return RANGE_LIMIT[(int) ((x + (1L << (shift - 1))) >> shift) & 1023];
    }

    /** {@code jpeg_idct_islow}: an 8x8 block at {@code out[off]}, row stride {@code stride}. */
    static void idct8x8(int[] c, int[] ws, byte[] out, int off, int stride) {
        for (int col = 0; col < 8; col++) {
            if ((c[8 + col] | c[16 + col] | c[24 + col] | c[32 + col] | c[40 + col] | c[48 + col] | c[56 + col]) == 0) {
                int dc = c[col] << PASS1_BITS;
                ws[col] = dc;
                ws[8 + col] = dc;
                ws[16 + col] = dc;
                ws[24 + col] = dc;
                ws[32 + col] = dc;
                ws[40 + col] = dc;
                ws[48 + col] = dc;
                ws[56 + col] = dc;
                continue;
            }
            long z2 = c[16 + col];
            long z3 = c[48 + col];
            long z1 = (z2 + z3) * 4433;
            long tmp2 = z1 + z3 * -15137;
            long tmp3 = z1 + z2 * 6270;
            z2 = c[col];
            z3 = c[32 + col];
            long tmp0 = (z2 + z3) << CONST_BITS;
            long tmp1 = (z2 - z3) << CONST_BITS;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;
            tmp0 = c[56 + col];
            tmp1 = c[40 + col];
            tmp2 = c[24 + col];
            tmp3 = c[8 + col];
            z1 = tmp0 + tmp3;
            z2 = tmp1 + tmp2;
            z3 = tmp0 + tmp2;
            long z4 = tmp1 + tmp3;
            long z5 = (z3 + z4) * 9633;
            tmp0 *= 2446;
            tmp1 *= 16819;
            tmp2 *= 25172;
            tmp3 *= 12299;
            z1 *= -7373;
            z2 *= -20995;
            z3 = z3 * -16069 + z5;
            z4 = z4 * -3196 + z5;
            tmp0 += z1 + z3;
            tmp1 += z2 + z4;
            tmp2 += z2 + z3;
            tmp3 += z1 + z4;
            final int sh = CONST_BITS - PASS1_BITS;
            final long half = 1L << (sh - 1);
            ws[col] = (int) ((tmp10 + tmp3 + half) >> sh);
            ws[56 + col] = (int) ((tmp10 - tmp3 + half) >> sh);
            ws[8 + col] = (int) ((tmp11 + tmp2 + half) >> sh);
            ws[48 + col] = (int) ((tmp11 - tmp2 + half) >> sh);
            ws[16 + col] = (int) ((tmp12 + tmp1 + half) >> sh);
            ws[40 + col] = (int) ((tmp12 - tmp1 + half) >> sh);
            ws[24 + col] = (int) ((tmp13 + tmp0 + half) >> sh);
            ws[32 + col] = (int) ((tmp13 - tmp0 + half) >> sh);
        }
        final int sh = CONST_BITS + PASS1_BITS + 3;
        for (int row = 0, w = 0; row < 8; row++, w += 8, off += stride) {
            if ((ws[w + 1] | ws[w + 2] | ws[w + 3] | ws[w + 4] | ws[w + 5] | ws[w + 6] | ws[w + 7]) == 0) {
                byte dc = limit(ws[w], PASS1_BITS + 3);
                for (int i = 0; i < 8; i++) {
                    out[off + i] = dc;
                }
                continue;
            }
            long z2 = ws[w + 2];
            long z3 = ws[w + 6];
            long z1 = (z2 + z3) * 4433;
            long tmp0 = ((long) ws[w] + ws[w + 4]) << CONST_BITS;
            long tmp3 = z1 + z2 * 6270;
            long tmp1 = ((long) ws[w] - ws[w + 4]) << CONST_BITS;
            long tmp2 = z1 + z3 * -15137;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;
            tmp3 = ws[w + 1];
            tmp2 = ws[w + 3];
            tmp1 = ws[w + 5];
            tmp0 = ws[w + 7];
            long z4 = tmp1 + tmp3;
            z3 = tmp0 + tmp2;
            z2 = tmp1 + tmp2;
            z1 = tmp0 + tmp3;
            long z5 = (z3 + z4) * 9633;
            tmp3 *= 12299;
            tmp2 *= 25172;
            tmp1 *= 16819;
            tmp0 *= 2446;
            z4 = z4 * -3196 + z5;
            z3 = z3 * -16069 + z5;
            z2 *= -20995;
            z1 *= -7373;
            tmp3 += z1 + z4;
            tmp2 += z2 + z3;
            tmp1 += z2 + z4;
            tmp0 += z1 + z3;
            out[off] = limit(tmp10 + tmp3, sh);
            out[off + 1] = limit(tmp11 + tmp2, sh);
            out[off + 2] = limit(tmp12 + tmp1, sh);
            out[off + 3] = limit(tmp13 + tmp0, sh);
            out[off + 4] = limit(tmp13 - tmp0, sh);
            out[off + 5] = limit(tmp12 - tmp1, sh);
            out[off + 6] = limit(tmp11 - tmp2, sh);
            out[off + 7] = limit(tmp10 - tmp3, sh);
        }
    }

    /** {@code jpeg_idct_4x4}: a 4x4 block (scale 1/2); row and column 4 of the coefficients are not read. */
    static void idct4x4(int[] c, int[] ws, byte[] out, int off, int stride) {
        final int sh1 = CONST_BITS - PASS1_BITS + 1;
        final long half1 = 1L << (sh1 - 1);
        for (int col = 0; col < 8; col++) {
            if (col == 4) {
                continue;
            }
            if ((c[8 + col] | c[16 + col] | c[24 + col] | c[40 + col] | c[48 + col] | c[56 + col]) == 0) {
                int dc = c[col] << PASS1_BITS;
                ws[col] = dc;
                ws[8 + col] = dc;
                ws[16 + col] = dc;
                ws[24 + col] = dc;
                continue;
            }
            long tmp0 = (long) c[col] << (CONST_BITS + 1);
            long tmp2 = (long) c[16 + col] * 15137 + (long) c[48 + col] * -6270;
            long tmp10 = tmp0 + tmp2;
            long tmp12 = tmp0 - tmp2;
            long z1 = c[56 + col];
            long z2 = c[40 + col];
            long z3 = c[24 + col];
            long z4 = c[8 + col];
            tmp0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
            tmp2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
            ws[col] = (int) ((tmp10 + tmp2 + half1) >> sh1);
            ws[24 + col] = (int) ((tmp10 - tmp2 + half1) >> sh1);
            ws[8 + col] = (int) ((tmp12 + tmp0 + half1) >> sh1);
            ws[16 + col] = (int) ((tmp12 - tmp0 + half1) >> sh1);
        }
        final int sh = CONST_BITS + PASS1_BITS + 3 + 1;
        for (int row = 0, w = 0; row < 4; row++, w += 8, off += stride) {
            if ((ws[w + 1] | ws[w + 2] | ws[w + 3] | ws[w + 5] | ws[w + 6] | ws[w + 7]) == 0) {
                byte dc = limit(ws[w], PASS1_BITS + 3);
                out[off] = dc;
                out[off + 1] = dc;
                out[off + 2] = dc;
                out[off + 3] = dc;
                continue;
            }
            long tmp0 = (long) ws[w] << (CONST_BITS + 1);
            long tmp2 = (long) ws[w + 2] * 15137 + (long) ws[w + 6] * -6270;
            long tmp10 = tmp0 + tmp2;
            long tmp12 = tmp0 - tmp2;
            long z1 = ws[w + 7];
            long z2 = ws[w + 5];
            long z3 = ws[w + 3];
            long z4 = ws[w + 1];
            tmp0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
            tmp2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
            out[off] = limit(tmp10 + tmp2, sh);
            out[off + 3] = limit(tmp10 - tmp2, sh);
            out[off + 1] = limit(tmp12 + tmp0, sh);
            out[off + 2] = limit(tmp12 - tmp0, sh);
        }
    }

    /**
     * {@code jpeg_idct_2x2}: a 2x2 block (scale 1/4) from rows and columns 0, 1, 3, 5 and 7 of the coefficients. The
     * work array lives in locals (ten values), each column's zero test is one OR.
     */
    static void idct2x2(int[] c, byte[] out, int off, int stride) {
        long c0 = column2x2(c, 0);
        long c1 = column2x2(c, 1);
        long c3 = column2x2(c, 3);
        long c5 = column2x2(c, 5);
        long c7 = column2x2(c, 7);
        row2x2((int) (c0 >> 32), (int) (c1 >> 32), (int) (c3 >> 32), (int) (c5 >> 32), (int) (c7 >> 32), out, off);
        row2x2((int) c0, (int) c1, (int) c3, (int) c5, (int) c7, out, off + stride);
    }

    /** Pass 1 of {@code jpeg_idct_2x2} on one column: row 0's value in the high half, row 1's in the low half. */
    private static long column2x2(int[] c, int col) {
        int r1 = c[8 + col];
        int r3 = c[24 + col];
        int r5 = c[40 + col];
        int r7 = c[56 + col];
        int top;
        int bottom;
        if ((r1 | r3 | r5 | r7) == 0) {
            top = c[col] << PASS1_BITS;
            bottom = top;
        } else {
            final int sh = CONST_BITS - PASS1_BITS + 2;
            long tmp10 = (long) c[col] << (CONST_BITS + 2);
            long tmp0 = (long) r7 * -5906 + (long) r5 * 6967 + (long) r3 * -10426 + (long) r1 * 29692;
            top = (int) ((tmp10 + tmp0 + (1L << (sh - 1))) >> sh);
            bottom = (int) ((tmp10 - tmp0 + (1L << (sh - 1))) >> sh);
        }
        return ((long) top << 32) | (bottom & 0xFFFFFFFFL);
    }

    /** Pass 2 of {@code jpeg_idct_2x2} on one row of the work array (its columns 0, 1, 3, 5, 7). */
    private static void row2x2(int w0, int w1, int w3, int w5, int w7, byte[] out, int off) {
        if ((w1 | w3 | w5 | w7) == 0) {
            byte dc = limit(w0, PASS1_BITS + 3);
            out[off] = dc;
            out[off + 1] = dc;
            return;
        }
        final int sh = CONST_BITS + PASS1_BITS + 3 + 2;
        long tmp10 = (long) w0 << (CONST_BITS + 2);
        long tmp0 = (long) w7 * -5906 + (long) w5 * 6967 + (long) w3 * -10426 + (long) w1 * 29692;
        out[off] = limit(tmp10 + tmp0, sh);
        out[off + 1] = limit(tmp10 - tmp0, sh);
    }

    /** {@code jpeg_idct_1x1}: the block's mean (scale 1/8), from the DC coefficient alone. */
    static byte idct1x1(int dc) {
        return limit(dc, 3);
    }
}
