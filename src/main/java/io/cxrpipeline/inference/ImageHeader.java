package io.cxrpipeline.inference;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.cxrpipeline.imaging.ImageHeaders;
import io.cxrpipeline.imaging.dicom.DicomHeader;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Format and dimensions of an image as its header declares them, read without decoding any pixel.
 *
 * @param dicom the DICOM header of a DICOM image, which the decode reads its pixels by (no second parse); else null.
 *              Not part of responses.
 */
@RegisterForReflection
public record ImageHeader(String format, int width, int height, @JsonIgnore DicomHeader dicom) {

    public static final String JPEG = "jpeg";
    public static final String PNG = "png";
    /** A DICOM radiograph that {@link io.cxrpipeline.imaging.dicom.DicomPolicy} accepts. */
    public static final String DICOM = "dicom";

    public ImageHeader(String format, int width, int height) {
        this(format, width, height, null);
    }

    /** Width x height, as a long: a hostile header can declare more than {@link Integer#MAX_VALUE} pixels. */
    public long pixels() {
        return (long) width * height;
    }

    /**
     * Reads the header with {@link ImageHeaders}, the same check indexing applies to uploads.
     *
     * @throws InvalidImageException when the bytes are empty, not JPEG/PNG/DICOM, or their header is truncated,
     *                               corrupt or of an unsupported kind (a DICOM image ingest would refuse)
     */
    public static ImageHeader read(byte[] b) {
        if (b == null) {
            b = new byte[0];
        }
        ImageHeaders.Result r = ImageHeaders.parse(b, b.length);
        if (r.info() != null) {
            // Lower case: the ImageIO format name, and what responses have always carried.
            return new ImageHeader(r.info().format().toLowerCase(Locale.ROOT), r.info().width(), r.info().height(),
                    r.info().dicom());
        }
        if (ImageHeaders.ZERO_BYTES.equals(r.rejection())) {
            throw new InvalidImageException("the image is empty (0 bytes)");
        }
        if (!ImageHeaders.JPEG.equals(r.format()) && !ImageHeaders.PNG.equals(r.format())
                && !ImageHeaders.DICOM.equals(r.format())) {
            throw new InvalidImageException("not a JPEG, PNG or DICOM image"
                    + (r.format() == null ? "" : " (" + r.rejection() + ")"));
        }
        // All bytes were given, so the parser never asks for more: a header that continues past them is truncated.
        String why = r.needsMore() ? "truncated " + r.format() + " header" : r.rejection();
        throw new InvalidImageException("the " + r.format() + " image cannot be used: " + why);
    }
}
