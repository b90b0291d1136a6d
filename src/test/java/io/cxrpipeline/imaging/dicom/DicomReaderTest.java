package io.cxrpipeline.imaging.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.imaging.ImageHeaders;
import io.cxrpipeline.local.sample.DicomWriter;

/** The header reader on hand-made files: what it reads, and the hostile headers it rejects with a reason. */
class DicomReaderTest {

    static DicomWriter chest(String syntax) {
        return DicomWriter.radiograph(syntax, 4, 3, new int[12], 16, 12, false, "MONOCHROME2")
                .put(0x00185101, "CS", "PA").put(0x00100020, "LO", "ABC123").put(0x00080018, "UI", "1.2.3.9")
                .put(0x0020000D, "UI", "1.2.3.7").put(0x00281050, "DS", "40\\400").put(0x00281051, "DS", "350\\2000");
    }

    static DicomReader.Result read(byte[] b) {
        return DicomReader.read(b, b.length);
    }

    @Test
    void readsTheAttributesOfExplicitAndImplicitFiles() {
        for (String syntax : List.of(DicomWriter.EXPLICIT_VR_LE, DicomWriter.IMPLICIT_VR_LE)) {
            byte[] b = chest(syntax).put(0x00100010, "PN", "Doe^Jane").toBytes();
            DicomHeader h = read(b).header();
            assertEquals(syntax, h.transferSyntaxUid());
            assertEquals("DX", h.modality());
            assertEquals(3, h.rows());
            assertEquals(4, h.columns());
            assertEquals(12, h.bitsStored());
            assertEquals(11, h.highBit());
            assertEquals(40.0, h.windowCenter());
            assertEquals(350.0, h.windowWidth());
            assertEquals("PA", h.viewPosition());
            assertEquals("ABC123", h.patientId());
            assertEquals("1.2.3.9", h.sopInstanceUid());
            assertEquals(List.of("PatientName"), h.directIdentifiers());
            assertTrue(h.phi());
            assertEquals(24, h.pixelDataLength());
            assertEquals(b.length - 24, h.pixelDataOffset());
            assertNull(ImageHeaders.parse(b, b.length).rejection());
        }
    }

    @Test
    void blankIdentifiersAreNotPhiButBurnedInAnnotationIs() {
        DicomHeader blank = read(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00100010, "PN", "^ ").toBytes()).header();
        assertFalse(blank.phi());
        DicomHeader burned = read(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00280301, "CS", "YES").toBytes()).header();
        assertTrue(burned.phi());
    }

    @Test
    void aHeadThatEndsBeforeThePixelDataAsksForMoreWithinTheObject() {
        byte[] b = chest(DicomWriter.EXPLICIT_VR_LE).bytes(0x00091010, "OB", new byte[100_000]).toBytes();
        int have = 300;
        int asks = 0;
        DicomReader.Result r = DicomReader.read(Arrays.copyOf(b, have), b.length);
        while (r.needsMore()) {
            assertTrue(r.needBytes() > have && r.needBytes() <= b.length, "" + r.needBytes());
            have = r.needBytes();
            asks++;
            r = DicomReader.read(Arrays.copyOf(b, have), b.length);
        }
        assertTrue(asks >= 1 && asks <= 3, "asks " + asks);
        assertEquals(read(b).header(), r.header());
        assertEquals(ImageHeaders.DICOM, ImageHeaders.parse(Arrays.copyOf(b, 300), b.length).format());
        assertTrue(ImageHeaders.parse(Arrays.copyOf(b, 300), b.length).needsMore());
    }

    @Test
    void truncatedFilesAreRejectedNotAskedAgain() {
        byte[] b = chest(DicomWriter.EXPLICIT_VR_LE).toBytes();
        for (int cut : new int[] {132, 140, 200, 300, b.length - 30}) {
            byte[] t = Arrays.copyOf(b, cut);
            DicomReader.Result r = read(t);
            assertFalse(r.needsMore(), "cut at " + cut);
            String verdict = r.rejection() != null ? r.rejection() : DicomPolicy.whyRefused(r.header(), t.length);
            assertTrue(verdict.startsWith("truncated DICOM"), cut + ": " + verdict);
        }
    }

    @Test
    void aLengthBeyondTheObjectIsTruncationNotAnAllocation() {
        ByteArrayOutputStream el = new ByteArrayOutputStream();
        el.writeBytes(new byte[] {0x09, 0x00, 0x10, 0x10, 'O', 'B', 0, 0});
        el.writeBytes(DicomWriter.le32(0x7FFFFFF0L));
        byte[] b = chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00091010, el.toByteArray()).toBytes();
        assertEquals(DicomReader.TRUNCATED, read(b).rejection());
    }

    @Test
    void oddLengthsAndBadVrsAreCorrupt() {
        byte[] odd = chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00091010,
                new byte[] {0x09, 0x00, 0x10, 0x10, 'L', 'O', 3, 0, 'a', 'b', 'c'}).toBytes();
        assertEquals(DicomReader.CORRUPT + ": odd length", read(odd).rejection());
        byte[] vr = chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00091010,
                new byte[] {0x09, 0x00, 0x10, 0x10, 'l', 1, 2, 0, 'a', 'b'}).toBytes();
        assertEquals(DicomReader.CORRUPT + ": invalid VR", read(vr).rejection());
    }

    @Test
    void aHugeRowsTimesColumnsClaimIsRefusedByThePixelDataItHas() {
        byte[] b = chest(DicomWriter.EXPLICIT_VR_LE).us(0x00280010, 65535).us(0x00280011, 65535).toBytes();
        DicomHeader h = read(b).header();
        assertEquals(65535L * 65535, h.pixels());
        assertEquals(DicomReader.CORRUPT + ": pixel data shorter than Rows x Columns", DicomPolicy.whyRefused(h, b.length));
    }

    @Test
    void nestedUndefinedLengthSequencesAreSkippedAndTooDeepNestingIsRejected() {
        byte[] ok = chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00400275, DicomWriter.nestedSequences(10)).toBytes();
        assertEquals("ABC123", read(ok).header().patientId());
        byte[] deep = chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00400275, DicomWriter.nestedSequences(DicomReader.MAX_DEPTH)).toBytes();
        assertEquals(DicomReader.CORRUPT + ": sequences nested too deep", read(deep).rejection());
        byte[] unclosed = chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00400275, Arrays.copyOf(DicomWriter.nestedSequences(3), 40)).toBytes();
        assertEquals(DicomReader.TRUNCATED, read(unclosed).rejection());
        byte[] loose = DicomWriter.nestedSequences(1);
        byte[] noItem = new byte[12 + 10 + 8];
        System.arraycopy(loose, 0, noItem, 0, 12); // the sequence header, then an element where an item belongs
        System.arraycopy(new byte[] {0x08, 0x00, 0x00, 0x01, 'S', 'H', 2, 0, 'X', ' '}, 0, noItem, 12, 10);
        System.arraycopy(loose, loose.length - 8, noItem, 22, 8);
        assertEquals(DicomReader.CORRUPT + ": element outside an item",
                read(chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00400275, noItem).toBytes()).rejection());
    }

    @Test
    void aMissingTransferSyntaxOrPixelDataIsCorrupt() {
        byte[] b = new byte[400];
        System.arraycopy("DICM".getBytes(), 0, b, 128, 4);
        assertEquals(DicomReader.CORRUPT + ": no transfer syntax", read(b).rejection());
        byte[] full = chest(DicomWriter.EXPLICIT_VR_LE).toBytes();
        byte[] noPixels = Arrays.copyOf(full, (int) read(full).header().pixelDataOffset() - 12);
        assertEquals(DicomReader.CORRUPT + ": no pixel data", read(noPixels).rejection());
    }

    @Test
    void unreadableAndCompressedSyntaxesAreNamed() {
        byte[] be = chest(DicomReader.EXPLICIT_VR_BE).toBytes();
        assertEquals("unsupported format DICOM explicit VR big endian", read(be).rejection());
        byte[] j2k = chest("1.2.840.10008.1.2.4.90").toBytes();
        assertEquals("unsupported format DICOM JPEG 2000 lossless " + DicomPolicy.COMPRESSED_WHY,
                ImageHeaders.parse(j2k, j2k.length).rejection());
    }

    @Test
    void nonChestAndUndecodableImagesAreRefusedWithTheirReason() {
        assertEquals("DICOM modality MR, not CR or DX", refusal(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00080060, "CS", "MR")));
        assertEquals("DICOM body part SKULL, not a chest",
                refusal(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00180015, "CS", "SKULL")));
        assertNull(refusal(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00180015, "CS", "thorax")));
        assertEquals("unsupported format DICOM RGB", refusal(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00280004, "CS", "RGB")));
        assertEquals("unsupported format DICOM with a VOI LUT sequence",
                refusal(chest(DicomWriter.EXPLICIT_VR_LE).raw(0x00283010, nestedAt(0x00283010))));
        assertEquals("unsupported format DICOM with VOILUTFunction CUSTOM",
                refusal(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00281056, "CS", "CUSTOM")));
        assertEquals(DicomReader.CORRUPT + ": bad RescaleSlope",
                refusal(chest(DicomWriter.EXPLICIT_VR_LE).put(0x00281053, "DS", "NaN")));
    }

    private static byte[] nestedAt(int tag) {
        byte[] b = DicomWriter.nestedSequences(1);
        b[0] = (byte) (tag >>> 16);
        b[1] = (byte) (tag >>> 24);
        b[2] = (byte) tag;
        b[3] = (byte) (tag >>> 8);
        return b;
    }

    private static String refusal(DicomWriter w) {
        byte[] b = w.toBytes();
        return ImageHeaders.parse(b, b.length).rejection();
    }
}
