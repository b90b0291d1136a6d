package io.cxrpipeline.local.sample;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import io.cxrpipeline.imaging.dicom.DicomReader;

/**
 * Writes minimal DICOM Part 10 files (preamble, file meta, a data set in explicit or implicit VR little endian) for
 * the sample data and the tests. Elements are written in tag order; values are padded to even length as DICOM
 * requires.
 */
public final class DicomWriter {

    public static final String EXPLICIT_VR_LE = DicomReader.EXPLICIT_VR_LE;
    public static final String IMPLICIT_VR_LE = DicomReader.IMPLICIT_VR_LE;
    /** Digital X-Ray Image Storage - For Presentation. */
    public static final String DX_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1";

    private record Element(String vr, byte[] value, boolean raw) {
    }

    private final boolean implicit;
    private final String syntax;
    private final Map<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);

    private DicomWriter(String syntax) {
        this.syntax = syntax;
        this.implicit = IMPLICIT_VR_LE.equals(syntax);
    }

    /** A writer whose file meta names this transfer syntax; the data set is implicit VR only for 1.2.840.10008.1.2. */
    public static DicomWriter of(String syntax) {
        return new DicomWriter(syntax);
    }

    /** A string attribute (padded with a space, or NUL for UI). */
    public DicomWriter put(int tag, String vr, String value) {
        elements.put(tag, new Element(vr, pad(value, "UI".equals(vr) ? 0 : ' '), false));
        return this;
    }

    /** An unsigned short attribute. */
    public DicomWriter us(int tag, int value) {
        elements.put(tag, new Element("US", new byte[] {(byte) value, (byte) (value >> 8)}, false));
        return this;
    }

    /** A binary attribute (OB or OW), e.g. the pixel data. */
    public DicomWriter bytes(int tag, String vr, byte[] value) {
        elements.put(tag, new Element(vr, value, false));
        return this;
    }

    /** Bytes written as they are at this tag's place (a hand-made sequence, say), header included. */
    public DicomWriter raw(int tag, byte[] encoded) {
        elements.put(tag, new Element(null, encoded, true));
        return this;
    }

    public boolean implicit() {
        return implicit;
    }

    /** The whole file. */
    public byte[] toBytes() {
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        writeElement(meta, 0x00020001, "OB", new byte[] {0, 1}, false);
        String sop = string(0x00080016, DX_STORAGE);
        String inst = string(0x00080018, "1.2.3.4");
        writeElement(meta, 0x00020002, "UI", pad(sop, 0), false);
        writeElement(meta, 0x00020003, "UI", pad(inst, 0), false);
        writeElement(meta, 0x00020010, "UI", pad(syntax, 0), false);
        writeElement(meta, 0x00020012, "UI", pad("1.2.826.0.1.3680043.10.1", 0), false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        byte[] m = meta.toByteArray();
        writeElement(out, 0x00020000, "UL", le32(m.length), false);
        out.writeBytes(m);
        for (Map.Entry<Integer, Element> e : elements.entrySet()) {
            Element el = e.getValue();
            if (el.raw()) {
                out.writeBytes(el.value());
            } else {
                writeElement(out, e.getKey(), el.vr(), el.value(), implicit);
            }
        }
        return out.toByteArray();
    }

    private String string(int tag, String otherwise) {
        Element e = elements.get(tag);
        return e == null ? otherwise : new String(e.value(), StandardCharsets.ISO_8859_1).trim().replace("\0", "");
    }

    private static byte[] pad(String s, int padByte) {
        byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
        if (v.length % 2 == 0) {
            return v;
        }
        byte[] p = new byte[v.length + 1];
        System.arraycopy(v, 0, p, 0, v.length);
        p[v.length] = (byte) padByte;
        return p;
    }

    /** One element's encoding: tag, VR (explicit only) and length, then the value. */
    public static void writeElement(ByteArrayOutputStream out, int tag, String vr, byte[] value, boolean implicit) {
        out.writeBytes(le16(tag >>> 16));
        out.writeBytes(le16(tag & 0xFFFF));
        if (implicit) {
            out.writeBytes(le32(value.length));
        } else {
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            if (longForm(vr)) {
                out.writeBytes(new byte[2]);
                out.writeBytes(le32(value.length));
            } else {
                out.writeBytes(le16(value.length));
            }
        }
        out.writeBytes(value);
    }

    static boolean longForm(String vr) {
        return switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    public static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }

    public static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    /**
     * A monochrome radiograph with the attributes indexing reads.
     *
     * @param samples    stored values, row-major; each is written in {@code bitsAllocated} bits (two's complement
     *                   when {@code signed})
     * @param photometric MONOCHROME1 or MONOCHROME2
     */
    public static DicomWriter radiograph(String syntax, int width, int height, int[] samples, int bitsAllocated,
            int bitsStored, boolean signed, String photometric) {
        DicomWriter w = of(syntax)
                .put(0x00080016, "UI", DX_STORAGE)
                .put(0x00080060, "CS", "DX")
                .put(0x00180015, "CS", "CHEST")
                .us(0x00280002, 1)
                .put(0x00280004, "CS", photometric)
                .us(0x00280010, height)
                .us(0x00280011, width)
                .us(0x00280100, bitsAllocated)
                .us(0x00280101, bitsStored)
                .us(0x00280102, bitsStored - 1)
                .us(0x00280103, signed ? 1 : 0);
        byte[] px = new byte[samples.length * (bitsAllocated / 8)];
        int mask = bitsStored == 32 ? -1 : (1 << bitsStored) - 1;
        for (int i = 0; i < samples.length; i++) {
            int v = samples[i] & mask;
            if (bitsAllocated == 8) {
                px[i] = (byte) v;
            } else {
                px[2 * i] = (byte) v;
                px[2 * i + 1] = (byte) (v >> 8);
            }
        }
        if (px.length % 2 == 1) {
            px = java.util.Arrays.copyOf(px, px.length + 1);
        }
        return w.bytes(0x7FE00010, bitsAllocated == 8 ? "OB" : "OW", px);
    }

    /**
     * {@code levels} undefined-length sequences, each in an undefined-length item of the one above, at tag
     * (0040,0275), encoded explicit VR little endian.
     */
    public static byte[] nestedSequences(int levels) {
        return nestedSequences(levels, false);
    }

    /** {@link #nestedSequences(int)} in implicit or explicit VR. */
    public static byte[] nestedSequences(int levels, boolean implicit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] seq = implicit ? new byte[] {0x40, 0x00, 0x75, 0x02, -1, -1, -1, -1}
                : new byte[] {0x40, 0x00, 0x75, 0x02, 'S', 'Q', 0, 0, -1, -1, -1, -1};
        byte[] item = {-2, -1, 0, -32, -1, -1, -1, -1};
        byte[] itemEnd = {-2, -1, 0x0D, -32, 0, 0, 0, 0};
        byte[] seqEnd = {-2, -1, -35, -32, 0, 0, 0, 0};
        for (int i = 0; i < levels; i++) {
            out.writeBytes(seq);
            out.writeBytes(item);
        }
        for (int i = 0; i < levels; i++) {
            out.writeBytes(itemEnd);
            out.writeBytes(seqEnd);
        }
        return out.toByteArray();
    }
}
