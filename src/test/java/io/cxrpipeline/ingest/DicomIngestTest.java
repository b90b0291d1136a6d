package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.imaging.dicom.DicomPolicy;
import io.cxrpipeline.local.sample.DicomWriter;

/** DICOM uploads through the ingest core: what is indexed, the hashed patient, PHI, views, SOP duplicates. */
class DicomIngestTest {

    private final IngestFixture f = new IngestFixture(256); // a small head: the header takes more than one read

    @Test
    void aChestRadiographIsIndexedWithItsHashedPatientStudyAndView() {
        byte[] dcm = TestImages.dicomChest("MRN-1234", "1.2.3.1", 1);
        IndexOutcome o = f.service.apply(f.put("images/ds/train/NORMAL/a.dcm", dcm));
        assertEquals(ImageStatus.INDEXED, o.status(), o.toString());
        ImageRecord r = f.record("train/NORMAL/a.dcm");
        assertEquals("DICOM", r.format());
        assertEquals(32, r.width());
        assertEquals(24, r.height());
        assertEquals(12, r.bitDepth());
        assertEquals("PA", r.view());
        assertEquals("1.2.3.100.8", r.study());
        assertEquals("1.2.3.1", r.sopInstanceUid());
        assertFalse(r.phi());
        assertEquals(new PatientIds(Optional.of(IngestFixture.SALT)).hash("MRN-1234"), r.patient());
        assertTrue(r.patient().startsWith(PatientIds.PREFIX) && !r.patient().contains("1234"), r.patient());
    }

    @Test
    void onePatientsStudiesShareTheLeakageGroupAndOtherSaltsGiveOtherPatients() {
        f.service.apply(f.put("images/ds/NORMAL/a.dcm", TestImages.dicomChest("MRN-1", "1.2.3.1", 1)));
        f.service.apply(f.put("images/ds/PNEUMONIA/b.dcm", TestImages.dicomChest("MRN-1", "1.2.3.2", 2)));
        f.service.apply(f.put("images/ds/NORMAL/c.dcm", TestImages.dicomChest("MRN-2", "1.2.3.3", 3)));
        assertEquals(f.record("NORMAL/a.dcm").group(), f.record("PNEUMONIA/b.dcm").group());
        assertNotEquals(f.record("NORMAL/a.dcm").group(), f.record("NORMAL/c.dcm").group());
        assertNotEquals(new PatientIds(Optional.of("another-salt-0123456789")).hash("MRN-1"),
                f.record("NORMAL/a.dcm").patient());
    }

    @Test
    void theSameSopInstanceUnderAnotherNameOrWithOtherBytesIsADuplicate() {
        f.service.apply(f.put("images/ds/NORMAL/a.dcm", TestImages.dicomChest("MRN-1", "1.2.3.1", 1)));
        IndexOutcome o = f.service.apply(f.put("images/ds/NORMAL/copy.dcm", TestImages.dicomChest("MRN-1", "1.2.3.1", 9)));
        assertEquals(ImageStatus.DUPLICATE, o.status(), o.toString());
        assertEquals("NORMAL/a.dcm", f.record("NORMAL/copy.dcm").duplicateOf());
        f.service.apply(f.delete("images/ds/NORMAL/a.dcm"));
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/copy.dcm").status(), "the copy takes over");
    }

    @Test
    void directIdentifiersOrBurnedInAnnotationFlagPhi() {
        byte[] named = DicomWriter.radiograph(DicomWriter.IMPLICIT_VR_LE, 8, 8, new int[64], 8, 8, false, "MONOCHROME1")
                .put(0x00100010, "PN", "Doe^Jane").put(0x00100030, "DA", "19700101").toBytes();
        f.service.apply(f.put("images/ds/NORMAL/named.dcm", named));
        assertTrue(f.record("NORMAL/named.dcm").phi());
        byte[] burned = DicomWriter.radiograph(DicomWriter.EXPLICIT_VR_LE, 8, 8, new int[64], 8, 8, false, "MONOCHROME2")
                .put(0x00280301, "CS", "YES").toBytes();
        f.service.apply(f.put("images/ds/NORMAL/burned.dcm", burned));
        ImageRecord r = f.record("NORMAL/burned.dcm");
        assertEquals(ImageStatus.INDEXED, r.status());
        assertTrue(r.phi());
        assertEquals("I:NORMAL/burned.dcm", r.group(), "no PatientID: the image is its own group");
    }

    @Test
    void dicomIsRecognisedByItsMagicWhateverTheExtension() {
        f.service.apply(f.put("images/ds/NORMAL/x.jpeg", TestImages.dicomChest("MRN-1", "1.2.3.1", 1)));
        assertEquals("DICOM", f.record("NORMAL/x.jpeg").format());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/x.jpeg").status());
    }

    @Test
    void compressedOtherModalitiesAndOtherBodyPartsAreRejectedWithTheReason() {
        byte[] j2k = DicomWriter.radiograph("1.2.840.10008.1.2.4.91", 8, 8, new int[64], 8, 8, false, "MONOCHROME2")
                .toBytes();
        assertReason("j2k.dcm", j2k, "unsupported format DICOM JPEG 2000 " + DicomPolicy.COMPRESSED_WHY);
        assertReason("ct.dcm", TestImages.dicom(), TestImages.DICOM_REASON);
        byte[] knee = DicomWriter.radiograph(DicomWriter.EXPLICIT_VR_LE, 8, 8, new int[64], 8, 8, false, "MONOCHROME2")
                .put(0x00180015, "CS", "KNEE").toBytes();
        assertReason("knee.dcm", knee, "DICOM body part KNEE, not a chest");
        byte[] rgb = DicomWriter.radiograph(DicomWriter.EXPLICIT_VR_LE, 8, 8, new int[64], 8, 8, false, "RGB").toBytes();
        assertReason("rgb.dcm", rgb, "unsupported format DICOM RGB");
    }

    @Test
    void tooManyPixelsIsRejectedLikeAnyImage() {
        IngestFixture small = new IngestFixture();
        IndexingService strict = new IndexingService(KeyRules.defaults(),
                new ObjectAnalyzer(small.store, 65536, 4096, 1 << 20, 500), small.index, small.store,
                IngestFixture.BUCKET, Clock.systemUTC(), Duration.ofDays(14), PatientIds.none());
        IndexOutcome o = strict.apply(small.put("images/ds/NORMAL/big.dcm", DicomWriter.radiograph(
                DicomWriter.EXPLICIT_VR_LE, 32, 24, new int[768], 8, 8, false, "MONOCHROME2").toBytes()));
        assertEquals(Reasons.tooManyPixels(32, 24, 500), o.reason());
    }

    @Test
    void withoutASaltAPatientIdIsNeverStoredAndTheImageIsRejected() {
        IngestFixture plain = new IngestFixture();
        IndexingService unsalted = new IndexingService(KeyRules.defaults(),
                new ObjectAnalyzer(plain.store, 65536, 4096, 1 << 20, 50_000_000), plain.index, plain.store,
                IngestFixture.BUCKET, Clock.systemUTC(), Duration.ofDays(14), PatientIds.none());
        IndexOutcome o = unsalted.apply(plain.put("images/ds/NORMAL/a.dcm", TestImages.dicomChest("MRN-1", "1.2.3.1", 1)));
        assertEquals(Reasons.NO_PATIENT_SALT, o.reason());
        assertNull(plain.record("NORMAL/a.dcm").patient());
    }

    @Test
    void aShortSaltIsRefused() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PatientIds(Optional.of("short")));
        assertTrue(e.getMessage().contains("16"));
    }

    private void assertReason(String name, byte[] bytes, String reason) {
        IndexOutcome o = f.service.apply(f.put("images/ds/NORMAL/" + name, bytes));
        assertEquals(ImageStatus.REJECTED, o.status(), name);
        assertEquals(reason, o.reason(), name);
        assertEquals("DICOM", f.record("NORMAL/" + name).format());
    }
}
