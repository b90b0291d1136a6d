package io.cxrpipeline.imaging.jpeg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes 8-bit single-component (grey) sequential Huffman JPEGs (SOF0, SOF1; restart intervals included) straight
 * to a grey plane at 1/1, 1/2, 1/4 or 1/8 of their size by DCT-domain scaling, with libjpeg-turbo's inverse DCTs
 * ({@link ScaledIdct}), so the samples are libjpeg-turbo's (Pillow's {@code draft}). Every other JPEG is not this
 * decoder's: {@link #decode} answers null and the caller decodes it another way.
 *
 * <p>Truncated or corrupt data is refused with a {@link CorruptJpegException} where libjpeg would warn and pad: a
 * missing end-of-image marker, entropy data that runs into a marker or the end of the file before the last block, a
 * bad Huffman code, a coefficient past the block's end, a missing restart marker. The caller bounds the image's
 * dimensions (the decode allocates about {@code width x height / scale^2} bytes).
 */
public final class GreyJpegDecoder {

    /** Zigzag position → natural (row-major) position. */
    private static final int[] NATURAL = {0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33,
        40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.BIG_ENDIAN);

    private static final int RUNNING = 0;
    private static final int AT_MARKER = 1;
    private static final int AT_END = 2;

    private final byte[] data;
    private int pos;
    private final int[][] quant = new int[4][];
    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private int restartInterval;
    private int width;
    private int height;
    private int componentId = -1;
    private int quantSelector;
    private HuffmanTable dc;
    private HuffmanTable ac;

    // The bit reader between the hot loop's refills (the loop keeps its own copies in locals).
    private long bits;
    private int count;
    /** Zero bits appended after a marker or the end of the data; consuming them means the data ended early. */
    private int padded;
    private int stop = RUNNING;

    private GreyJpegDecoder(byte[] data) {
        this.data = data;
    }

    /**
     * Pillow's {@code draft(mode, (size, size))} rule: the largest of 8, 4, 2, 1 not above
     * {@code min(width / size, height / size)} (1 for an image smaller than {@code size}).
     */
    public static int draftScale(int width, int height, int size) {
        int fit = Math.min(width / size, height / size);
        for (int s = 8; s > 1; s >>= 1) {
            if (fit >= s) {
                return s;
            }
        }
        return 1;
    }

    /**
     * Whether the first frame header is SOF0 or SOF1 with one 8-bit component, found by walking the marker segments
     * from SOI (fill bytes and standalone markers skipped). False for anything else, including a malformed header.
     */
    public static boolean isGreySequential(byte[] b) {
        int n = b.length;
        if (n < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            return false;
        }
        int p = 2;
        while (p < n) {
            if ((b[p] & 0xff) != 0xFF) {
                return false;
            }
            while (p < n && (b[p] & 0xff) == 0xFF) {
                p++;
            }
            if (p >= n) {
                return false;
            }
            int marker = b[p++] & 0xff;
            if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                continue;
            }
            if (marker == 0x00 || marker == 0xD8 || marker == 0xD9 || marker == 0xDA || p + 2 > n) {
                return false;
            }
            int length = u16(b, p);
            if (length < 2) {
                return false;
            }
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return (marker == 0xC0 || marker == 0xC1) && p + 8 <= n && (b[p + 2] & 0xff) == 8
                        && (b[p + 7] & 0xff) == 1;
            }
            p += length;
        }
        return false;
    }

    /**
     * Decodes a grey sequential JPEG at {@code 1/scale} of its size: {@code ceil(width / scale) x
     * ceil(height / scale)} samples, libjpeg's output size.
     *
     * @param scale 1, 2, 4 or 8
     * @return the image, or null when the data is not a grey sequential Huffman JPEG ({@link #isGreySequential})
     * @throws CorruptJpegException when the data is truncated or corrupt
     */
    public static GreyImage decode(byte[] jpeg, int scale) {
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
            throw new IllegalArgumentException("scale must be 1, 2, 4 or 8: " + scale);
        }
        if (!isGreySequential(jpeg)) {
            return null;
        }
        GreyJpegDecoder d = new GreyJpegDecoder(jpeg);
        d.readHeaders();
        byte[] padded = d.decodeScan(scale);
        d.readToEnd();
        int w = (d.width + scale - 1) / scale;
        int h = (d.height + scale - 1) / scale;
        int stride = ((d.width + 7) >> 3) * (8 / scale);
        return new GreyImage(w, h, crop(padded, stride, w, h), scale);
    }

    /** The visible {@code w x h} part of a plane decoded in whole blocks. */
    private static byte[] crop(byte[] plane, int stride, int w, int h) {
        if (stride != w) {
            for (int y = 1; y < h; y++) {
                System.arraycopy(plane, y * stride, plane, y * w, w);
            }
        }
        return plane.length == w * h ? plane : Arrays.copyOf(plane, w * h);
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    /** The next marker at or after {@code pos}, skipping stray bytes and fill bytes as libjpeg does; -1 at the end. */
    private int nextMarker() {
        byte[] b = data;
        int n = b.length;
        while (true) {
            while (pos < n && (b[pos] & 0xff) != 0xFF) {
                pos++;
            }
            while (pos < n && (b[pos] & 0xff) == 0xFF) {
                pos++;
            }
            if (pos >= n) {
                return -1;
            }
            int m = b[pos++] & 0xff;
            if (m != 0) {
                return m;
            }
        }
    }

    /** The payload of the marker segment at {@code pos} (after its length); {@code pos} moves past it. */
    private int segment() {
        if (pos + 2 > data.length) {
            throw CorruptJpegException.truncated("the data ends inside a marker segment");
        }
        int length = u16(data, pos);
        if (length < 2) {
            throw CorruptJpegException.corrupt("a marker segment has a bad length");
        }
        if (pos + length > data.length) {
            throw CorruptJpegException.truncated("the data ends inside a marker segment");
        }
        int start = pos + 2;
        pos += length;
        return start;
    }

    private void readHeaders() {
        pos = 2;
        while (true) {
            int m = nextMarker();
            if (m < 0) {
                throw CorruptJpegException.truncated("the data ends before the image data");
            }
            if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) {
                continue;
            }
            if (m == 0xD8 || m == 0xD9) {
                throw CorruptJpegException.corrupt("unexpected " + (m == 0xD8 ? "SOI" : "EOI") + " marker");
            }
            int start = segment();
            int end = pos;
            switch (m) {
                case 0xC0, 0xC1 -> frame(start, end);
                case 0xC4 -> huffmanTables(start, end);
                case 0xDB -> quantTables(start, end);
                case 0xDD -> {
                    if (end - start != 2) {
                        throw CorruptJpegException.corrupt("bad DRI marker");
                    }
                    restartInterval = u16(data, start);
                }
                case 0xDA -> {
                    scan(start, end);
                    return;
                }
                default -> {
                    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                        throw CorruptJpegException.corrupt("a second frame header");
                    }
                    // APPn, COM and the rest carry nothing the decode needs.
                }
            }
        }
    }

    private void frame(int start, int end) {
        if (componentId >= 0) {
            throw CorruptJpegException.corrupt("a second frame header");
        }
        if (end - start != 9 || (data[start] & 0xff) != 8 || (data[start + 5] & 0xff) != 1) {
            throw CorruptJpegException.corrupt("bad frame header");
        }
        height = u16(data, start + 1);
        width = u16(data, start + 3);
        if (width == 0 || height == 0) {
            throw CorruptJpegException.corrupt("bad frame header: empty image");
        }
        componentId = data[start + 6] & 0xff;
        quantSelector = data[start + 8] & 0xff;
        if (quantSelector > 3) {
            throw CorruptJpegException.corrupt("bad frame header: quantization table " + quantSelector);
        }
    }

    private void huffmanTables(int p, int end) {
        while (p < end) {
            int tcth = data[p++] & 0xff;
            int tableClass = tcth >> 4;
            int id = tcth & 15;
            if (tableClass > 1 || id > 3 || p + 16 > end) {
                throw CorruptJpegException.corrupt("bad DHT marker");
            }
            int[] counts = new int[16];
            int total = 0;
            for (int i = 0; i < 16; i++) {
                counts[i] = data[p + i] & 0xff;
                total += counts[i];
            }
            p += 16;
            if (total > 256 || p + total > end) {
                throw CorruptJpegException.corrupt("bad DHT marker");
            }
            HuffmanTable t = new HuffmanTable(counts, Arrays.copyOfRange(data, p, p + total), tableClass == 0);
            p += total;
            (tableClass == 0 ? dcTables : acTables)[id] = t;
        }
    }

    private void quantTables(int p, int end) {
        while (p < end) {
            int pqtq = data[p++] & 0xff;
            int precision = pqtq >> 4;
            int id = pqtq & 15;
            int size = precision == 0 ? 64 : 128;
            if (precision > 1 || id > 3 || p + size > end) {
                throw CorruptJpegException.corrupt("bad DQT marker");
            }
            int[] q = new int[64];
            for (int i = 0; i < 64; i++) {
                q[i] = precision == 0 ? data[p + i] & 0xff : u16(data, p + 2 * i);
            }
            p += size;
            quant[id] = q;
        }
    }

    private void scan(int start, int end) {
        if (componentId < 0) {
            throw CorruptJpegException.corrupt("image data before the frame header");
        }
        // One component: Ns = 1, its selector, Td/Ta, then Ss, Se, Ah/Al (not used by a sequential decode).
        if (end - start != 6 || (data[start] & 0xff) != 1) {
            throw CorruptJpegException.corrupt("bad SOS marker");
        }
        if ((data[start + 1] & 0xff) != componentId) {
            throw CorruptJpegException.corrupt("bad SOS marker: unknown component");
        }
        int tdta = data[start + 2] & 0xff;
        int td = tdta >> 4;
        int ta = tdta & 15;
        if (td > 3 || ta > 3 || dcTables[td] == null || acTables[ta] == null) {
            throw CorruptJpegException.corrupt("bad SOS marker: undefined Huffman table");
        }
        if (quant[quantSelector] == null) {
            throw CorruptJpegException.corrupt("undefined quantization table " + quantSelector);
        }
        dc = dcTables[td];
        ac = acTables[ta];
    }

    /** Refills {@link #bits} to more than 56 bits, byte by byte: stuffed bytes, markers, the end of the data. */
    private void fillSlow() {
        byte[] b = data;
        int n = b.length;
        while (count <= 56) {
            int v = 0;
            if (stop == RUNNING && pos < n) {
                v = b[pos] & 0xff;
                if (v != 0xFF) {
                    pos++;
                } else {
                    int q = pos + 1;
                    while (q < n && (b[q] & 0xff) == 0xFF) {
                        q++;
                    }
                    if (q < n && b[q] == 0) {
                        pos = q + 1; // a stuffed 0xFF (fill bytes before it are dropped, as libjpeg does)
                    } else {
                        stop = q < n ? AT_MARKER : AT_END;
                        v = 0;
                    }
                }
            } else if (stop == RUNNING) {
                stop = AT_END;
            }
            if (stop != RUNNING) {
                padded += 8;
            }
            bits |= (long) v << (56 - count);
            count += 8;
        }
    }

    /** Throws when the entropy decode has used bits that were not in the data. */
    private void checkNotPastEnd() {
        if (stop != RUNNING && count < padded) {
            throw stop == AT_END ? CorruptJpegException.truncated("the data ends inside the image data")
                    : CorruptJpegException.corrupt("premature end of data segment");
        }
    }

    /** Reads the restart marker that must follow an interval and resets the entropy decoder. */
    private void restart(int expected) {
        checkNotPastEnd();
        int m = nextMarker();
        if (m < 0) {
            throw CorruptJpegException.truncated("the data ends inside the image data");
        }
        if (m != 0xD0 + expected) {
            throw CorruptJpegException.corrupt("restart marker RST" + expected + " expected, found 0x"
                    + Integer.toHexString(m));
        }
        bits = 0;
        count = 0;
        padded = 0;
        stop = RUNNING;
    }

    /** After the scan: markers up to EOI; a second scan or the end of the data is refused. */
    private void readToEnd() {
        checkNotPastEnd();
        while (true) {
            int m = nextMarker();
            if (m < 0) {
                throw CorruptJpegException.truncated("no end-of-image marker");
            }
            if (m == 0xD9) {
                return;
            }
            if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) {
                continue;
            }
            if (m == 0xD8 || m == 0xDA) {
                throw CorruptJpegException.corrupt(m == 0xDA ? "more than one scan" : "unexpected SOI marker");
            }
            segment();
        }
    }

    /** The entropy-coded data, block by block, each block through the scaled IDCT into a whole-block plane. */
    private byte[] decodeScan(int scale) {
        final int blocksW = (width + 7) >> 3;
        final int blocksH = (height + 7) >> 3;
        final int n = 8 / scale;
        final int stride = blocksW * n;
        final byte[] out = new byte[stride * blocksH * n];
        final int[] q = quant[quantSelector];
        final int[] dcLook = dc.lookup;
        final int[] acLook = ac.lookup;
        final int[] acFast = ac.fastAc;
        final HuffmanTable dcTable = dc;
        final HuffmanTable acTable = ac;
        final int[] coef = new int[64];
        final int[] ws = new int[64];
        final boolean dcOnly = scale == 8;
        final byte[] d = data;
        final int end = d.length;
        final int interval = restartInterval;
        long buf = 0;
        int cnt = 0;
        int p = pos;
        int pred = 0;
        int todo = interval;
        int expected = 0;
        for (int by = 0; by < blocksH; by++) {
            int rowOff = by * n * stride;
            for (int bx = 0; bx < blocksW; bx++) {
                if (interval != 0) {
                    if (todo == 0) {
                        pos = p;
                        bits = buf;
                        count = cnt;
                        restart(expected);
                        p = pos;
                        buf = 0;
                        cnt = 0;
                        pred = 0;
                        expected = (expected + 1) & 7;
                        todo = interval;
                    }
                    todo--;
                }
                // DC: the difference from the previous block's DC. The refill is written out here and again before
                // each AC symbol rather than called: the bit buffer, its count and the position are locals, which a
                // method could not update, and keeping them in locals is what makes this loop fast.
                if (cnt < 32) {
                    long w;
                    if (p + 8 <= end && (((~(w = (long) BIG_ENDIAN_LONG.get(d, p)) - 0x0101010101010101L) & w
                            & 0x8080808080808080L) == 0)) {
                        int nb = (64 - cnt) >> 3;
                        buf |= (w & (-1L << (64 - 8 * nb))) >>> cnt;
                        cnt += 8 * nb;
                        p += nb;
                    } else {
                        pos = p;
                        bits = buf;
                        count = cnt;
                        fillSlow();
                        p = pos;
                        buf = bits;
                        cnt = count;
                    }
                }
                int e = dcLook[(int) (buf >>> (64 - HuffmanTable.LOOKAHEAD))];
                if (e == 0) {
                    e = dcTable.decodeLong(buf);
                }
                int len = e >> 8;
                int s = e & 0xff;
                buf <<= len;
                cnt -= len;
                if (s != 0) {
                    int v = (int) (buf >>> (64 - s));
                    buf <<= s;
                    cnt -= s;
                    pred += v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
                }
                // libjpeg keeps the predictor as an int but stores the coefficient as a short.
                coef[0] = (short) pred * q[0];
                int k = 1;
                int last = 0;
                while (k < 64) {
                    if (cnt < 32) {
                        long w;
                        if (p + 8 <= end && (((~(w = (long) BIG_ENDIAN_LONG.get(d, p)) - 0x0101010101010101L) & w
                                & 0x8080808080808080L) == 0)) {
                            int nb = (64 - cnt) >> 3;
                            buf |= (w & (-1L << (64 - 8 * nb))) >>> cnt;
                            cnt += 8 * nb;
                            p += nb;
                        } else {
                            pos = p;
                            bits = buf;
                            count = cnt;
                            fillSlow();
                            p = pos;
                            buf = bits;
                            cnt = count;
                        }
                    }
                    int look = (int) (buf >>> (64 - HuffmanTable.LOOKAHEAD));
                    int f = acFast[look];
                    if (f != 0) {
                        k += (f >> 8) & 0xff;
                        int l = f & 0xff;
                        buf <<= l;
                        cnt -= l;
                        if (k > 63) {
                            throw CorruptJpegException.corrupt("a coefficient past the end of a block");
                        }
                        if (!dcOnly) {
                            coef[NATURAL[k]] = (f >> 16) * q[k];
                            last = k;
                        }
                        k++;
                        continue;
                    }
                    e = acLook[look];
                    if (e == 0) {
                        e = acTable.decodeLong(buf);
                    }
                    len = e >> 8;
                    int rs = e & 0xff;
                    buf <<= len;
                    cnt -= len;
                    s = rs & 15;
                    if (s == 0) {
                        if (rs != 0xF0) {
                            break; // end of block
                        }
                        k += 16;
                        continue;
                    }
                    k += rs >> 4;
                    int v = (int) (buf >>> (64 - s));
                    buf <<= s;
                    cnt -= s;
                    if (k > 63) {
                        throw CorruptJpegException.corrupt("a coefficient past the end of a block");
                    }
                    if (!dcOnly) {
                        coef[NATURAL[k]] = (v < (1 << (s - 1)) ? v - (1 << s) + 1 : v) * q[k];
                        last = k;
                    }
                    k++;
                }
                int off = rowOff + bx * n;
                switch (scale) {
                    case 1 -> ScaledIdct.idct8x8(coef, ws, out, off, stride);
                    case 2 -> ScaledIdct.idct4x4(coef, ws, out, off, stride);
                    case 4 -> ScaledIdct.idct2x2(coef, out, off, stride);
                    default -> out[off] = ScaledIdct.idct1x1(coef[0]);
                }
                if (last != 0) {
                    Arrays.fill(coef, 0);
                }
            }
            pos = p;
            bits = buf;
            count = cnt;
            checkNotPastEnd();
        }
        pos = p;
        bits = buf;
        count = cnt;
        return out;
    }
}
