package io.cxrpipeline.imaging.dicom;

import java.util.List;

/**
 * What a DICOM Part 10 header says about a single image, as {@link DicomReader} reads it: the transfer syntax, the
 * image pixel module, the VOI attributes, the few identifiers indexing needs, and where the pixel data lies.
 * Strings are trimmed of DICOM padding, multi-valued ones hold their first value; absent ones are null.
 *
 * @param transferSyntaxUid   (0002,0010)
 * @param modality            (0008,0060), e.g. CR, DX
 * @param photometric         (0028,0004) PhotometricInterpretation, e.g. MONOCHROME2
 * @param rows                (0028,0010), 0 when absent
 * @param columns             (0028,0011), 0 when absent
 * @param bitsAllocated       (0028,0100), 0 when absent
 * @param bitsStored          (0028,0101), 0 when absent
 * @param highBit             (0028,0102), -1 when absent
 * @param pixelRepresentation (0028,0103): 0 unsigned, 1 two's complement; 0 when absent
 * @param samplesPerPixel     (0028,0002), 1 when absent (the default of monochrome images)
 * @param numberOfFrames      (0028,0008), 1 when absent
 * @param rescaleSlope        (0028,1053), 1 when absent
 * @param rescaleIntercept    (0028,1052), 0 when absent
 * @param windowCenter        (0028,1050), first value, null when absent
 * @param windowWidth         (0028,1051), first value, null when absent
 * @param voiLutFunction      (0028,1056), e.g. LINEAR, SIGMOID; null when absent
 * @param voiLutSequence      whether (0028,3010) VOI LUT Sequence is present with items
 * @param modalityLutSequence whether (0028,3000) Modality LUT Sequence is present with items
 * @param viewPosition        (0018,5101), e.g. PA, AP, LL
 * @param bodyPartExamined    (0018,0015), e.g. CHEST
 * @param patientId           (0010,0020); the index stores only its keyed hash
 * @param studyInstanceUid    (0020,000D)
 * @param seriesInstanceUid   (0020,000E)
 * @param sopInstanceUid      (0008,0018)
 * @param burnedInAnnotation  (0028,0301), YES or NO, null when absent
 * @param directIdentifiers   keywords of the {@link DicomReader#DIRECT_IDENTIFIERS} present with a non-empty value
 * @param pixelDataOffset     byte offset of the Pixel Data (7FE0,0010) value, -1 when the header has none
 * @param pixelDataLength     its value length, -1 when undefined (encapsulated) or absent
 */
public record DicomHeader(String transferSyntaxUid, String modality, String photometric, int rows, int columns,
        int bitsAllocated, int bitsStored, int highBit, int pixelRepresentation, int samplesPerPixel,
        int numberOfFrames, double rescaleSlope, double rescaleIntercept, Double windowCenter, Double windowWidth,
        String voiLutFunction, boolean voiLutSequence, boolean modalityLutSequence, String viewPosition,
        String bodyPartExamined, String patientId, String studyInstanceUid, String seriesInstanceUid,
        String sopInstanceUid, String burnedInAnnotation, List<String> directIdentifiers, long pixelDataOffset,
        long pixelDataLength) {

    public DicomHeader {
        directIdentifiers = List.copyOf(directIdentifiers);
    }

    /** Rows × columns, as a long: the header may claim up to 65535² pixels. */
    public long pixels() {
        return (long) rows * columns;
    }

    /** Whether the image may carry protected health information: a direct identifier or burned-in text. */
    public boolean phi() {
        return !directIdentifiers.isEmpty() || "YES".equalsIgnoreCase(burnedInAnnotation);
    }

    /** Bytes of uncompressed pixel data the image module declares (all frames). */
    public long expectedPixelBytes() {
        return pixels() * Math.max(samplesPerPixel, 1) * Math.max(numberOfFrames, 1) * (bitsAllocated / 8);
    }
}
