package io.cxrpipeline.imaging.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxrpipeline.imaging.ImageHeaders;

/**
 * The header reader against dcmtk and GDCM: every file of {@link DicomCorpus} is read from its bytes and compared with
 * what {@code dcmdump} prints and the pixel data {@code gdcmraw} extracts; the verdicts name each refused syntax and
 * modality; a prefix of the file asks for the bytes it needs and then reads the same header.
 */
class DicomToolkitsTest {

    private static final Pattern LINE = Pattern.compile(
            "^\\(([0-9a-f]{4}),([0-9a-f]{4})\\) (\\w\\w) (.*?)\\s*#\\s*(\\d+|u/l),");

    private static final Set<String> ACCEPTED = Set.of("ex8.dcm", "ex16.dcm", "im16.dcm", "ex16-mono1.dcm",
            "ex16-signed.dcm", "im16-signed.dcm", "ex8-sequences.dcm", "ex8-sequences-undefined.dcm",
            "im8-sequences.dcm", "im8-sequences-undefined.dcm", "thorax-no-view.dcm");

    @TempDir
    Path dir;

    @Test
    void everyFileReadsAsDcmdumpPrintsItAndIsJudgedByItsSyntaxModalityAndBodyPart() throws Exception {
        Map<String, Path> corpus = DicomCorpus.build(dir);
        assertTrue(corpus.keySet().containsAll(ACCEPTED), corpus.keySet().toString());
        int compared = 0;
        for (Map.Entry<String, Path> e : corpus.entrySet()) {
            String name = e.getKey();
            byte[] bytes = Files.readAllBytes(e.getValue());
            Map<String, String[]> dump = dump(e.getValue());
            String syntax = value(dump, "0002,0010");
            DicomReader.Result r = DicomReader.read(bytes, bytes.length);
            ImageHeaders.Result verdict = ImageHeaders.parse(bytes, bytes.length);
            assertEquals(ImageHeaders.DICOM, verdict.format(), name);
            if (!DicomReader.readable(syntax)) {
                assertEquals("unsupported format DICOM " + DicomReader.syntaxName(syntax), r.rejection(), name);
                assertEquals(r.rejection(), verdict.rejection());
                continue;
            }
            assertNull(r.rejection(), name);
            compare(name, dump, r.header());
            compared++;
            if (ACCEPTED.contains(name)) {
                assertNull(verdict.rejection(), name);
                assertEquals(r.header(), verdict.info().dicom(), name);
                assertEquals(r.header().columns(), verdict.info().width());
                byte[] raw = Files.readAllBytes(rawPixels(e.getValue()));
                DicomHeader h = r.header();
                assertArrayEquals(raw, Arrays.copyOfRange(bytes, (int) h.pixelDataOffset(),
                        (int) (h.pixelDataOffset() + h.pixelDataLength())), name + ": pixel data offset and length");
                assertEquals(h, fromPrefixes(bytes), name + ": read from a prefix");
            } else {
                assertEquals(expectedRefusal(name, syntax), verdict.rejection(), name);
            }
        }
        assertTrue(compared >= ACCEPTED.size() + 8, "compared " + compared);
    }

    private static String expectedRefusal(String name, String syntax) {
        return switch (name) {
            case "ct.dcm" -> "DICOM modality CT, not CR or DX";
            case "hand.dcm" -> "DICOM body part HAND, not a chest";
            case "base8.dcm", "base16.dcm" -> "DICOM modality missing, not CR or DX";
            default -> "unsupported format DICOM " + DicomReader.syntaxName(syntax) + " " + DicomPolicy.COMPRESSED_WHY;
        };
    }

    /** Reads the header as ingest does: a 256-byte head, then as many bytes as the reader asks for. */
    private static DicomHeader fromPrefixes(byte[] bytes) {
        int have = 256;
        for (int i = 0; i < 10; i++) {
            DicomReader.Result r = DicomReader.read(Arrays.copyOf(bytes, Math.min(have, bytes.length)), bytes.length);
            if (!r.needsMore()) {
                assertNull(r.rejection());
                return r.header();
            }
            assertTrue(r.needBytes() > have && r.needBytes() <= bytes.length, "asks for more, within the object");
            have = r.needBytes();
        }
        throw new AssertionError("never finished");
    }

    private void compare(String name, Map<String, String[]> dump, DicomHeader h) {
        String where = name + " ";
        assertEquals(value(dump, "0002,0010"), h.transferSyntaxUid(), where + "TransferSyntaxUID");
        assertEquals(value(dump, "0008,0060"), h.modality(), where + "Modality");
        assertEquals(value(dump, "0028,0004"), h.photometric(), where + "PhotometricInterpretation");
        assertEquals(intValue(dump, "0028,0010", 0), h.rows(), where + "Rows");
        assertEquals(intValue(dump, "0028,0011", 0), h.columns(), where + "Columns");
        assertEquals(intValue(dump, "0028,0100", 0), h.bitsAllocated(), where + "BitsAllocated");
        assertEquals(intValue(dump, "0028,0101", 0), h.bitsStored(), where + "BitsStored");
        assertEquals(intValue(dump, "0028,0102", -1), h.highBit(), where + "HighBit");
        assertEquals(intValue(dump, "0028,0103", 0), h.pixelRepresentation(), where + "PixelRepresentation");
        assertEquals(intValue(dump, "0028,0002", 1), h.samplesPerPixel(), where + "SamplesPerPixel");
        assertEquals(doubleValue(dump, "0028,1053", 1.0), h.rescaleSlope(), where + "RescaleSlope");
        assertEquals(doubleValue(dump, "0028,1052", 0.0), h.rescaleIntercept(), where + "RescaleIntercept");
        assertEquals(doubleValue(dump, "0028,1050", null), h.windowCenter(), where + "WindowCenter");
        assertEquals(doubleValue(dump, "0028,1051", null), h.windowWidth(), where + "WindowWidth");
        assertEquals(value(dump, "0028,1056"), h.voiLutFunction(), where + "VOILUTFunction");
        assertEquals(value(dump, "0018,5101"), h.viewPosition(), where + "ViewPosition");
        assertEquals(value(dump, "0018,0015"), h.bodyPartExamined(), where + "BodyPartExamined");
        assertEquals(value(dump, "0010,0020"), h.patientId(), where + "PatientID");
        assertEquals(value(dump, "0020,000d"), h.studyInstanceUid(), where + "StudyInstanceUID");
        assertEquals(value(dump, "0020,000e"), h.seriesInstanceUid(), where + "SeriesInstanceUID");
        assertEquals(value(dump, "0008,0018"), h.sopInstanceUid(), where + "SOPInstanceUID");
        assertEquals(value(dump, "0028,0301"), h.burnedInAnnotation(), where + "BurnedInAnnotation");
        Set<String> identifiers = new TreeSet<>();
        DicomReader.DIRECT_IDENTIFIERS.forEach((tag, keyword) -> {
            String[] d = dump.get(String.format("%04x,%04x", tag >>> 16, tag & 0xFFFF));
            if (d != null && (d[0].equals("SQ") ? !d[1].contains("#=0") : value(dump, d) != null)) {
                identifiers.add(keyword);
            }
        });
        assertEquals(identifiers, new TreeSet<>(h.directIdentifiers()), where + "direct identifiers");
        String[] pixels = dump.get("7fe0,0010");
        assertNotNull(pixels, where + "PixelData");
        if (!pixels[2].equals("u/l")) {
            assertEquals(Long.parseLong(pixels[2]), h.pixelDataLength(), where + "PixelData length");
        } else {
            assertEquals(-1, h.pixelDataLength(), where + "encapsulated PixelData");
        }
    }

    /** Top-level elements of dcmdump's output: tag → {VR, value text, length}. */
    private Map<String, String[]> dump(Path file) throws Exception {
        String out = DicomCorpus.run(dir, "dcmdump", "-Un", "-q", "+L", file.toString());
        Map<String, String[]> elements = new HashMap<>();
        for (String line : out.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                elements.put(m.group(1) + "," + m.group(2), new String[] {m.group(3), m.group(4), m.group(5)});
            }
        }
        return elements;
    }

    private static String value(Map<String, String[]> dump, String tag) {
        return value(dump, dump.get(tag));
    }

    /** The first value as dcmdump prints it: [text] for strings, bare numbers for US; null when empty. */
    private static String value(Map<String, String[]> dump, String[] element) {
        if (element == null || element[1].startsWith("(no value")) {
            return null;
        }
        String v = element[1];
        if (v.startsWith("[")) {
            v = v.substring(1, v.lastIndexOf(']'));
        }
        v = v.split("\\\\", -1)[0].strip();
        return v.isEmpty() ? null : v;
    }

    private static int intValue(Map<String, String[]> dump, String tag, int otherwise) {
        String v = value(dump, tag);
        return v == null ? otherwise : Integer.parseInt(v);
    }

    private static Double doubleValue(Map<String, String[]> dump, String tag, Double otherwise) {
        String v = value(dump, tag);
        return v == null ? otherwise : Double.valueOf(v);
    }

    private Path rawPixels(Path file) throws Exception {
        Path raw = dir.resolve(file.getFileName() + ".raw");
        DicomCorpus.run(dir, "gdcmraw", "-i", file.toString(), "-o", raw.toString(), "-t", "7fe0,0010");
        return raw;
    }
}
