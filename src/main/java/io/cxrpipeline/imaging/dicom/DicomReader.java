package io.cxrpipeline.imaging.dicom;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a DICOM Part 10 header (preamble, "DICM", group 0002 file meta, then the data set in explicit or implicit VR
 * little endian) from a prefix of the object, up to the Pixel Data element, without decoding a pixel. Bounded: no
 * length is trusted beyond the bytes given, sequences (defined or undefined length, nested) are skipped with a
 * counter rather than recursion, and every malformed input ends in a rejection reason, never an exception.
 */
public final class DicomReader {

    /** Rejection reasons: the index records them, so they are part of its contract (see docs/dicom.md). */
    public static final String CORRUPT = "corrupt DICOM header";
    public static final String TRUNCATED = "truncated DICOM header";

    public static final String IMPLICIT_VR_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_VR_BE = "1.2.840.10008.1.2.2";

    /**
     * Attributes that identify the patient directly (HIPAA Safe Harbor names, dates of birth, addresses, telephone
     * numbers, record numbers; DICOM PS3.15 basic profile), by tag. PatientID is not among them: it is read to form
     * the leakage group and stored only as a keyed hash. Present means present with a non-blank value.
     */
    public static final Map<Integer, String> DIRECT_IDENTIFIERS = Map.ofEntries(
            Map.entry(0x00100010, "PatientName"),
            Map.entry(0x00100030, "PatientBirthDate"),
            Map.entry(0x00100032, "PatientBirthTime"),
            Map.entry(0x00101000, "OtherPatientIDs"),
            Map.entry(0x00101001, "OtherPatientNames"),
            Map.entry(0x00101002, "OtherPatientIDsSequence"),
            Map.entry(0x00101005, "PatientBirthName"),
            Map.entry(0x00101040, "PatientAddress"),
            Map.entry(0x00101060, "PatientMotherBirthName"),
            Map.entry(0x00101090, "MedicalRecordLocator"),
            Map.entry(0x00102154, "PatientTelephoneNumbers"),
            Map.entry(0x00102155, "PatientTelecomInformation"),
            Map.entry(0x00380400, "PatientInstitutionResidence"));

    /** Containers (undefined-length sequences and items) open at once; deeper nesting is rejected. */
    static final int MAX_DEPTH = 64;

    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final long UNDEFINED = 0xFFFFFFFFL;

    /**
     * The outcome of {@link #read}: exactly one of {@code header}, {@code rejection}, or {@code needBytes} (the header
     * continues past the bytes given: read this many from the start and read again).
     */
    public record Result(DicomHeader header, String rejection, int needBytes) {

        public boolean needsMore() {
            return needBytes > 0;
        }
    }

    private DicomReader() {
    }

    /** Whether the bytes start like a DICOM Part 10 file: a 128-byte preamble, then "DICM". */
    public static boolean isDicom(byte[] head) {
        return head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
    }

    /**
     * Reads the header.
     *
     * @param head the first bytes of the object (all of it when it is small)
     * @param size the object's full size
     */
    public static Result read(byte[] head, long size) {
        return new DicomReader.Parse(head, size).run();
    }

    /** The name of a transfer syntax, for rejection reasons; the UID itself when it is not a known one. */
    public static String syntaxName(String uid) {
        if (uid == null) {
            return "without a transfer syntax";
        }
        return switch (uid) {
            case IMPLICIT_VR_LE -> "implicit VR little endian";
            case EXPLICIT_VR_LE -> "explicit VR little endian";
            case DEFLATED_LE -> "deflated explicit VR little endian";
            case EXPLICIT_VR_BE -> "explicit VR big endian";
            case "1.2.840.10008.1.2.1.98" -> "encapsulated uncompressed";
            case "1.2.840.10008.1.2.4.50" -> "JPEG baseline";
            case "1.2.840.10008.1.2.4.51" -> "JPEG extended";
            case "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70" -> "JPEG lossless";
            case "1.2.840.10008.1.2.4.80" -> "JPEG-LS lossless";
            case "1.2.840.10008.1.2.4.81" -> "JPEG-LS near-lossless";
            case "1.2.840.10008.1.2.4.90" -> "JPEG 2000 lossless";
            case "1.2.840.10008.1.2.4.91" -> "JPEG 2000";
            case "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93" -> "JPEG 2000 multi-component";
            case "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203" -> "HTJ2K";
            case "1.2.840.10008.1.2.5" -> "RLE lossless";
            case "1.2.840.113619.5.2" -> "GE private implicit VR with big endian pixels";
            default -> uid.startsWith("1.2.840.10008.1.2.4.10") ? "MPEG video" : "transfer syntax " + uid;
        };
    }

    /**
     * Whether the data set of this syntax is read: implicit or explicit VR little endian, and the standard
     * encapsulated syntaxes (whose data set is explicit VR little endian; their pixels are refused later).
     */
    public static boolean readable(String uid) {
        return IMPLICIT_VR_LE.equals(uid) || EXPLICIT_VR_LE.equals(uid) || "1.2.840.10008.1.2.1.98".equals(uid)
                || "1.2.840.10008.1.2.5".equals(uid) || uid.startsWith("1.2.840.10008.1.2.4.");
    }

    /** One pass over the bytes; every exit is a {@link Result}. */
    private static final class Parse {
        private final byte[] b;
        private final long size;
        private final int n;

        private String syntax;
        private String modality;
        private String photometric;
        private int rows;
        private int columns;
        private int bitsAllocated;
        private int bitsStored;
        private int highBit = -1;
        private int pixelRepresentation;
        private int samplesPerPixel = 1;
        private int frames = 1;
        private double slope = 1;
        private double intercept;
        private Double center;
        private Double width;
        private String voiFunction;
        private boolean voiLut;
        private boolean modalityLut;
        private String view;
        private String bodyPart;
        private String patientId;
        private String study;
        private String series;
        private String sop;
        private String burnedIn;
        private final List<String> identifiers = new ArrayList<>();

        Parse(byte[] head, long size) {
            this.b = head;
            this.size = size;
            this.n = (int) Math.min(head.length, Math.max(size, 0));
        }

        Result run() {
            if (n < 132) {
                return n < size ? more(132) : rejected(TRUNCATED);
            }
            if (!isDicom(b)) {
                return rejected(CORRUPT + ": no DICM prefix");
            }
            int p = 132;
            // File meta information: always explicit VR little endian, group 0002 only.
            while (true) {
                if (p + 8 > n) {
                    return ends(p + 8L);
                }
                if (u16(p) != 0x0002) {
                    break;
                }
                if (!isVr(p + 4)) {
                    return rejected(CORRUPT + ": file meta not in explicit VR");
                }
                int tag = tag(p);
                boolean longForm = longVr(p + 4);
                int headerLen = longForm ? 12 : 8;
                if (p + headerLen > n) {
                    return ends((long) p + headerLen);
                }
                long len = longForm ? u32(p + 8) : u16(p + 6);
                if (len == UNDEFINED || (len & 1) != 0) {
                    return rejected(CORRUPT + ": bad length in file meta");
                }
                long end = (long) p + headerLen + len;
                if (end > n) {
                    return ends(end);
                }
                if (tag == 0x00020010) {
                    syntax = string(p + headerLen, (int) len);
                }
                p = (int) end;
            }
            if (syntax == null || syntax.isEmpty()) {
                return rejected(CORRUPT + ": no transfer syntax");
            }
            if (!readable(syntax)) {
                // The data set cannot be read as little endian VR (big endian, deflated, private): name the syntax.
                return rejected(unreadableSyntax());
            }
            return dataSet(p, IMPLICIT_VR_LE.equals(syntax));
        }

        private String unreadableSyntax() {
            return "unsupported format DICOM " + syntaxName(syntax);
        }

        private Result dataSet(int start, boolean implicitTop) {
            int p = start;
            // Open undefined-length containers: kind (true = item) and the VR encoding inside.
            boolean[] isItem = new boolean[MAX_DEPTH];
            boolean[] implicitIn = new boolean[MAX_DEPTH];
            int depth = 0;
            while (true) {
                boolean implicit = depth == 0 ? implicitTop : implicitIn[depth - 1];
                if (p + 8 > n) {
                    if (p == n && n >= size) {
                        return depth == 0 ? rejected(CORRUPT + ": no pixel data") : rejected(TRUNCATED);
                    }
                    return ends(p + 8L);
                }
                int tag = tag(p);
                if ((tag >>> 16) == 0xFFFE) {
                    long len = u32(p + 4);
                    p += 8;
                    if (depth == 0) {
                        return rejected(CORRUPT + ": item outside a sequence");
                    }
                    if (tag == ITEM) {
                        if (isItem[depth - 1]) {
                            return rejected(CORRUPT + ": item inside an item");
                        }
                        if (len == UNDEFINED) {
                            if (depth == MAX_DEPTH) {
                                return rejected(CORRUPT + ": sequences nested too deep");
                            }
                            isItem[depth] = true;
                            implicitIn[depth] = implicit;
                            depth++;
                        } else {
                            p = skip(p, len);
                            if (p < 0) {
                                return ends(-(long) p);
                            }
                        }
                    } else if (tag == ITEM_END && isItem[depth - 1] && len == 0) {
                        depth--;
                    } else if (tag == SEQUENCE_END && !isItem[depth - 1] && len == 0) {
                        depth--;
                    } else {
                        return rejected(CORRUPT + ": misplaced delimiter");
                    }
                    continue;
                }
                if (depth > 0 && !isItem[depth - 1]) {
                    return rejected(CORRUPT + ": element outside an item");
                }
                int headerLen;
                long len;
                String vr = null;
                if (implicit) {
                    headerLen = 8;
                    len = u32(p + 4);
                } else {
                    if (!isVr(p + 4)) {
                        return rejected(CORRUPT + ": invalid VR");
                    }
                    vr = new String(b, p + 4, 2, StandardCharsets.US_ASCII);
                    boolean longForm = longVr(p + 4);
                    headerLen = longForm ? 12 : 8;
                    if (p + headerLen > n) {
                        return ends((long) p + headerLen);
                    }
                    len = longForm ? u32(p + 8) : u16(p + 6);
                }
                int value = p + headerLen;
                if (depth == 0 && tag == PIXEL_DATA) {
                    if (len != UNDEFINED && (len & 1) != 0) {
                        return rejected(CORRUPT + ": odd length");
                    }
                    return new Result(header(value, len == UNDEFINED ? -1 : len), null, 0);
                }
                if (len == UNDEFINED) {
                    // An undefined-length sequence (implicit VR: any undefined length is one; explicit: SQ, or UN
                    // whose content is implicit VR little endian).
                    if (!implicit && !"SQ".equals(vr) && !"UN".equals(vr)) {
                        return rejected(CORRUPT + ": undefined length outside a sequence");
                    }
                    if (depth == MAX_DEPTH) {
                        return rejected(CORRUPT + ": sequences nested too deep");
                    }
                    if (depth == 0) {
                        sequencePresent(tag);
                    }
                    isItem[depth] = false;
                    implicitIn[depth] = implicit || "UN".equals(vr);
                    depth++;
                    p = value;
                    continue;
                }
                if ((len & 1) != 0) {
                    return rejected(CORRUPT + ": odd length");
                }
                long end = value + len;
                if (depth == 0 && wanted(tag)) {
                    if (end > n) {
                        return ends(end);
                    }
                    String why = attribute(tag, vr, value, (int) len);
                    if (why != null) {
                        return rejected(CORRUPT + ": " + why);
                    }
                }
                p = skip(value, len);
                if (p < 0) {
                    return ends(-(long) p);
                }
            }
        }

        /** The position after a value, or -(position needed) when it lies past the bytes given. */
        private int skip(int value, long len) {
            long end = value + len;
            if (end > n) {
                return (int) -Math.min(end, Integer.MAX_VALUE);
            }
            return (int) end;
        }

        /** The bytes end before {@code need}: ask for more, or the object itself ends there. */
        private Result ends(long need) {
            if (need > size) {
                return rejected(TRUNCATED);
            }
            if (n < size) {
                long ask = Math.min(Math.max(need + 4096, 2L * n), size);
                return more(ask);
            }
            return rejected(TRUNCATED);
        }

        private boolean wanted(int tag) {
            return switch (tag) {
                case 0x00080060, 0x00280004, 0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103,
                        0x00280002, 0x00280008, 0x00281053, 0x00281052, 0x00281050, 0x00281051, 0x00281056,
                        0x00185101, 0x00180015, 0x00100020, 0x0020000D, 0x0020000E, 0x00080018, 0x00280301,
                        0x00283010, 0x00283000 -> true;
                default -> DIRECT_IDENTIFIERS.containsKey(tag);
            };
        }

        private void sequencePresent(int tag) {
            if (tag == 0x00283010) {
                voiLut = true;
            } else if (tag == 0x00283000) {
                modalityLut = true;
            } else if (DIRECT_IDENTIFIERS.containsKey(tag)) {
                identifiers.add(DIRECT_IDENTIFIERS.get(tag));
            }
        }

        /** Reads one top-level attribute; the reason when its value cannot be read. */
        private String attribute(int tag, String vr, int p, int len) {
            if (DIRECT_IDENTIFIERS.containsKey(tag)) {
                if (nonBlank(p, len)) {
                    identifiers.add(DIRECT_IDENTIFIERS.get(tag));
                }
                return null;
            }
            switch (tag) {
                case 0x00283010 -> voiLut = len > 0;
                case 0x00283000 -> modalityLut = len > 0;
                case 0x00080060 -> modality = string(p, len);
                case 0x00280004 -> photometric = string(p, len);
                case 0x00185101 -> view = string(p, len);
                case 0x00180015 -> bodyPart = string(p, len);
                case 0x00100020 -> patientId = string(p, len);
                case 0x0020000D -> study = string(p, len);
                case 0x0020000E -> series = string(p, len);
                case 0x00080018 -> sop = string(p, len);
                case 0x00280301 -> burnedIn = string(p, len);
                case 0x00281056 -> voiFunction = string(p, len);
                case 0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103, 0x00280002 -> {
                    if (len < 2 || (vr != null && !"US".equals(vr) && !"SS".equals(vr) && !"UN".equals(vr))) {
                        return "bad " + keyword(tag);
                    }
                    int v = u16(p);
                    switch (tag) {
                        case 0x00280010 -> rows = v;
                        case 0x00280011 -> columns = v;
                        case 0x00280100 -> bitsAllocated = v;
                        case 0x00280101 -> bitsStored = v;
                        case 0x00280102 -> highBit = v;
                        case 0x00280103 -> pixelRepresentation = v;
                        default -> samplesPerPixel = v;
                    }
                }
                case 0x00280008 -> {
                    Double f = number(p, len);
                    if (f == null || f < 1 || f > Integer.MAX_VALUE || f != Math.rint(f)) {
                        return "bad NumberOfFrames";
                    }
                    frames = f.intValue();
                }
                case 0x00281053, 0x00281052, 0x00281050, 0x00281051 -> {
                    String s = string(p, len);
                    if (s.isEmpty()) {
                        return null; // present but empty: as absent
                    }
                    Double f = number(p, len);
                    if (f == null) {
                        return "bad " + keyword(tag);
                    }
                    switch (tag) {
                        case 0x00281053 -> slope = f;
                        case 0x00281052 -> intercept = f;
                        case 0x00281050 -> center = f;
                        default -> width = f;
                    }
                }
                default -> {
                }
            }
            return null;
        }

        private static String keyword(int tag) {
            return switch (tag) {
                case 0x00280010 -> "Rows";
                case 0x00280011 -> "Columns";
                case 0x00280100 -> "BitsAllocated";
                case 0x00280101 -> "BitsStored";
                case 0x00280102 -> "HighBit";
                case 0x00280103 -> "PixelRepresentation";
                case 0x00280002 -> "SamplesPerPixel";
                case 0x00281053 -> "RescaleSlope";
                case 0x00281052 -> "RescaleIntercept";
                case 0x00281050 -> "WindowCenter";
                default -> "WindowWidth";
            };
        }

        private DicomHeader header(long offset, long length) {
            return new DicomHeader(syntax, modality, photometric, rows, columns, bitsAllocated, bitsStored, highBit,
                    pixelRepresentation, samplesPerPixel, frames, slope, intercept, center, width, voiFunction, voiLut,
                    modalityLut, view, bodyPart, patientId, study, series, sop, burnedIn, identifiers, offset,
                    length);
        }

        /** The first value of a string attribute, without DICOM padding; null when it is empty. */
        private String string(int p, int len) {
            String s = new String(b, p, len, StandardCharsets.ISO_8859_1);
            int bs = s.indexOf('\\');
            if (bs >= 0) {
                s = s.substring(0, bs);
            }
            s = strip(s);
            return s.isEmpty() ? null : s;
        }

        private Double number(int p, int len) {
            String s = string(p, len);
            if (s == null) {
                return null;
            }
            try {
                double d = Double.parseDouble(s);
                // Java also reads "NaN", "Infinity" and hex floats, which DS and IS do not allow.
                return Double.isFinite(d) && s.matches("[+-]?[0-9.]+([eE][+-]?[0-9]+)?") ? d : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private boolean nonBlank(int p, int len) {
            for (int i = p; i < p + len; i++) {
                int c = b[i] & 0xFF;
                if (c != ' ' && c != 0 && c != '\\' && c != '^' && c != '=') {
                    return true;
                }
            }
            return false;
        }

        private static String strip(String s) {
            int start = 0;
            int end = s.length();
            while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == 0)) {
                start++;
            }
            while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == 0)) {
                end--;
            }
            return s.substring(start, end);
        }

        private boolean isVr(int p) {
            int c1 = b[p] & 0xFF;
            int c2 = b[p + 1] & 0xFF;
            return c1 >= 'A' && c1 <= 'Z' && c2 >= 'A' && c2 <= 'Z';
        }

        /** VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2). */
        private boolean longVr(int p) {
            String vr = new String(b, p, 2, StandardCharsets.US_ASCII);
            return switch (vr) {
                case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
                default -> false;
            };
        }

        private int tag(int p) {
            return (u16(p) << 16) | u16(p + 2);
        }

        private int u16(int p) {
            return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
        }

        private long u32(int p) {
            return (b[p] & 0xFFL) | ((b[p + 1] & 0xFFL) << 8) | ((b[p + 2] & 0xFFL) << 16) | ((b[p + 3] & 0xFFL) << 24);
        }

        private Result more(long bytes) {
            return new Result(null, null, (int) Math.min(Integer.MAX_VALUE, bytes));
        }

        private static Result rejected(String reason) {
            return new Result(null, reason, 0);
        }
    }
}
