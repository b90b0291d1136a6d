package io.cxrpipeline.imaging.jpeg;

/**
 * One DHT table, built as libjpeg's {@code jpeg_make_d_derived_tbl} checks it, with an 11-bit lookahead for short codes
 * and, for AC tables, a second lookahead that also holds the coefficient when code and value fit in it.
 */
final class HuffmanTable {

    static final int LOOKAHEAD = 11;

    /** For each lookahead prefix: {@code (length << 8) | symbol} of a code that fits in it, 0 when the code is longer. */
    final int[] lookup = new int[1 << LOOKAHEAD];
    /**
     * AC only: for each lookahead prefix whose code and value bits both fit: {@code (value << 16) | (run << 8) | bits}
     * (bits = code length + value length); 0 otherwise.
     */
    final int[] fastAc;
    private final int[] maxCode = new int[18];
    private final int[] valOffset = new int[17];
    private final byte[] values;

    /**
     * @param counts  the number of codes of each length 1..16 ({@code counts[0]} is length 1)
     * @param values  the symbols, in code order
     * @param dc      a DC table: symbols above 15 are refused, as libjpeg does
     */
    HuffmanTable(int[] counts, byte[] values, boolean dc) {
        this.values = values;
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        if (total > 256 || total != values.length) {
            throw CorruptJpegException.corrupt("bad Huffman table");
        }
        int[] sizes = new int[total + 1];
        int p = 0;
        for (int l = 1; l <= 16; l++) {
            for (int i = 0; i < counts[l - 1]; i++) {
                sizes[p++] = l;
            }
        }
        int[] codes = new int[total];
        int code = 0;
        int si = total > 0 ? sizes[0] : 0;
        p = 0;
        while (sizes[p] != 0) {
            while (sizes[p] == si) {
                codes[p++] = code++;
            }
            // Codes of length si must fit in si bits (libjpeg: JERR_BAD_HUFF_TABLE).
            if (code >= (1 << si)) {
                throw CorruptJpegException.corrupt("bad Huffman table");
            }
            code <<= 1;
            si++;
        }
        p = 0;
        for (int l = 1; l <= 16; l++) {
            if (counts[l - 1] != 0) {
                valOffset[l] = p - codes[p];
                p += counts[l - 1];
                maxCode[l] = codes[p - 1];
            } else {
                maxCode[l] = -1;
            }
        }
        maxCode[17] = Integer.MAX_VALUE;
        p = 0;
        for (int l = 1; l <= LOOKAHEAD; l++) {
            for (int i = 0; i < counts[l - 1]; i++, p++) {
                int first = codes[p] << (LOOKAHEAD - l);
                for (int j = 0; j < 1 << (LOOKAHEAD - l); j++) {
                    lookup[first + j] = (l << 8) | (values[p] & 0xff);
                }
            }
        }
        if (dc) {
            for (byte v : values) {
                if ((v & 0xff) > 15) {
                    throw CorruptJpegException.corrupt("bad Huffman table");
                }
            }
            fastAc = null;
            return;
        }
        fastAc = new int[1 << LOOKAHEAD];
        for (int look = 0; look < fastAc.length; look++) {
            int e = lookup[look];
            if (e == 0) {
                continue;
            }
            int l = e >> 8;
            int rs = e & 0xff;
            int s = rs & 15;
            if (s == 0 || l + s > LOOKAHEAD) {
                continue;
            }
            int v = (look >> (LOOKAHEAD - l - s)) & ((1 << s) - 1);
            v = v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
            fastAc[look] = (v << 16) | ((rs >> 4) << 8) | (l + s);
        }
    }

    /**
     * Decodes a code longer than the lookahead.
     *
     * @param bits the bit buffer, next bit at the top, with at least 16 bits valid
     * @return {@code (length << 8) | symbol}
     */
    int decodeLong(long bits) {
        int l = LOOKAHEAD + 1;
        int code = (int) (bits >>> (64 - l));
        while (code > maxCode[l]) {
            l++;
            if (l > 16) {
                throw CorruptJpegException.corrupt("bad Huffman code");
            }
            code = (int) (bits >>> (64 - l));
        }
        int i = code + valOffset[l];
        if (i < 0 || i >= values.length) {
            throw CorruptJpegException.corrupt("bad Huffman code");
        }
        return (l << 8) | (values[i] & 0xff);
    }
}
