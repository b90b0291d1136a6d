package io.cxrpipeline.ingest;

import io.cxrpipeline.imaging.ImageHeaders;

/**
 * The reasons the index records for REJECTED and DUPLICATE objects. They are part of the contract
 * (users filter on them, tests assert them): change them only with the documentation. Those about an
 * image's header are {@link ImageHeaders}'s own.
 */
public final class Reasons {

    public static final String ZERO_BYTES = ImageHeaders.ZERO_BYTES;
    public static final String NOT_AN_IMAGE = ImageHeaders.NOT_AN_IMAGE;
    public static final String CORRUPT_JPEG = ImageHeaders.CORRUPT_JPEG;
    public static final String CORRUPT_PNG = ImageHeaders.CORRUPT_PNG;
    public static final String TRUNCATED_JPEG = ImageHeaders.TRUNCATED_JPEG;
    public static final String TRUNCATED_PNG = ImageHeaders.TRUNCATED_PNG;
    public static final String TRUNCATED_DICOM = io.cxrpipeline.imaging.dicom.DicomReader.TRUNCATED;
    public static final String NO_CLASS_FOLDER = "no class folder";
    /** A DICOM PatientID cannot be stored without the salt that hashes it. */
    public static final String NO_PATIENT_SALT = "DICOM PatientID present but no patient-ID salt configured";

    private Reasons() {
    }

    public static String unknownClass(String name) {
        return "unknown class '" + name + "'";
    }

    public static String unsupportedFormat(String format) {
        return ImageHeaders.unsupportedFormat(format);
    }

    public static String tooManyPixels(long width, long height, long limit) {
        return "dimensions " + width + "x" + height + " over the pixel limit of " + limit;
    }

    public static String duplicateOf(String imageId) {
        return "same content as " + imageId;
    }

    /** The reason of a CONFLICT image: its content was uploaded under each of these classes. */
    public static String conflictingLabels(java.util.Collection<String> labels) {
        return "label conflict: same content labelled " + String.join(", ", new java.util.TreeSet<>(labels));
    }

    public static String labelConflict(String imageId, String label) {
        return "label conflict: same content as " + imageId + " labelled " + label;
    }
}
