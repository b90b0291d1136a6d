package io.cxrpipeline.imaging.dicom;

import java.util.Locale;
import java.util.Set;

/**
 * Which DICOM images the pipeline uses: chest radiographs (CR, DX) of one grey sample per pixel in an uncompressed
 * little-endian syntax, whose pixels {@link DicomPixels} and the training program decode identically. Ingest and
 * predict apply the same rules; each refusal names its reason (docs/dicom.md lists them).
 */
public final class DicomPolicy {

    /** Modalities of projection radiographs: computed and digital radiography. */
    public static final Set<String> MODALITIES = Set.of("CR", "DX");

    /**
     * BodyPartExamined values taken for the chest (upper case; PS3.16 CID 4031 and what public sets use). An image
     * without the attribute is taken too: many exports leave it out.
     */
    public static final Set<String> CHEST = Set.of("CHEST", "THORAX", "LUNG", "LUNGS", "TORAX", "THORAXAP", "PORT CHEST",
            "CHEST_LAT", "CHEST_PA", "CHEST_AP");

    /** VOILUTFunction values the pixel pipeline implements; absent means LINEAR. */
    public static final Set<String> VOI_FUNCTIONS = Set.of("LINEAR", "LINEAR_EXACT", "SIGMOID");

    /** Why compressed pixel data is refused, appended to the syntax's name. */
    public static final String COMPRESSED_WHY = "(compressed pixel data cannot be decoded identically in training and serving)";

    private DicomPolicy() {
    }

    /**
     * Why the image cannot be used, or null.
     *
     * @param size the object's full size (the pixel data must lie within it)
     */
    public static String whyRefused(DicomHeader h, long size) {
        String syntax = h.transferSyntaxUid();
        if (!DicomReader.IMPLICIT_VR_LE.equals(syntax) && !DicomReader.EXPLICIT_VR_LE.equals(syntax)) {
            return "unsupported format DICOM " + DicomReader.syntaxName(syntax) + " " + COMPRESSED_WHY;
        }
        if (h.modality() == null || !MODALITIES.contains(h.modality().toUpperCase(Locale.ROOT))) {
            return "DICOM modality " + (h.modality() == null ? "missing" : h.modality()) + ", not CR or DX";
        }
        if (h.bodyPartExamined() != null && !CHEST.contains(h.bodyPartExamined().toUpperCase(Locale.ROOT))) {
            return "DICOM body part " + h.bodyPartExamined() + ", not a chest";
        }
        if (h.rows() == 0 || h.columns() == 0) {
            return DicomReader.CORRUPT + ": no Rows or Columns";
        }
        if (h.numberOfFrames() != 1) {
            return "unsupported format DICOM multi-frame";
        }
        if (h.samplesPerPixel() != 1) {
            return "unsupported format DICOM with " + h.samplesPerPixel() + " samples per pixel";
        }
        String photometric = h.photometric();
        if (!"MONOCHROME1".equals(photometric) && !"MONOCHROME2".equals(photometric)) {
            return "unsupported format DICOM " + (photometric == null ? "without PhotometricInterpretation" : photometric);
        }
        int allocated = h.bitsAllocated();
        int stored = h.bitsStored();
        if ((allocated != 8 && allocated != 16) || stored < 1 || stored > allocated || h.highBit() != stored - 1
                || h.pixelRepresentation() > 1) {
            return "unsupported format DICOM with " + allocated + " bits allocated, " + stored + " stored, high bit "
                    + h.highBit() + ", pixel representation " + h.pixelRepresentation();
        }
        if (h.voiLutSequence() || h.modalityLutSequence()) {
            return "unsupported format DICOM with a " + (h.modalityLutSequence() ? "Modality" : "VOI") + " LUT sequence";
        }
        if (h.rescaleSlope() == 0) {
            return DicomReader.CORRUPT + ": RescaleSlope 0";
        }
        String function = h.voiLutFunction() == null ? "LINEAR" : h.voiLutFunction().toUpperCase(Locale.ROOT);
        if (!VOI_FUNCTIONS.contains(function)) {
            return "unsupported format DICOM with VOILUTFunction " + h.voiLutFunction();
        }
        if (h.windowWidth() != null && h.windowCenter() != null
                && (h.windowWidth() <= 0 || ("LINEAR".equals(function) && h.windowWidth() < 1))) {
            return DicomReader.CORRUPT + ": WindowWidth " + h.windowWidth();
        }
        if (h.pixelDataOffset() < 0) {
            return DicomReader.CORRUPT + ": no pixel data";
        }
        if (h.pixelDataLength() < 0) {
            return DicomReader.CORRUPT + ": undefined-length pixel data in an uncompressed syntax";
        }
        if (h.pixelDataLength() < h.expectedPixelBytes()) {
            return DicomReader.CORRUPT + ": pixel data shorter than Rows x Columns";
        }
        if (h.pixelDataOffset() + h.pixelDataLength() > size) {
            return TRUNCATED_PIXELS;
        }
        return null;
    }

    /** The object ends before its pixel data does. */
    public static final String TRUNCATED_PIXELS = "truncated DICOM: pixel data ends past the object";
}
