package io.cxrpipeline.catalog;

import java.util.Objects;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One object under {@code images/<dataset>/} as the index holds it.
 *
 * @param dataset       the first path segment under {@code images/}
 * @param imageId       the key below {@code images/<dataset>/}, e.g. {@code train/NORMAL/IM-0115-0001.jpeg}
 * @param key           the full S3 key
 * @param label         the class (e.g. NORMAL, PNEUMONIA), null when it could not be derived
 * @param subtype       e.g. bacteria or virus, null when none
 * @param patient       the patient id, null when none could be derived (the image is then its own group)
 * @param originalSplit train, val or test from the key, null when the key has none
 * @param format        JPEG or PNG (or what was detected, for rejected objects)
 * @param width         pixels, 0 when unknown
 * @param height        pixels, 0 when unknown
 * @param channels      1 (grayscale), 3 (RGB) or 4, 0 when unknown
 * @param bitDepth      bits per sample, 0 when unknown
 * @param sizeBytes     object size
 * @param contentId     identity of the bytes (the S3 ETag with the size), equal for identical uploads
 * @param status        see {@link ImageStatus}
 * @param reason        why an object was rejected or is a duplicate, null when indexed
 * @param duplicateOf   the imageId whose content this repeats, for DUPLICATE
 * @param sequencer     the S3 event sequencer of the last event applied to this key
 * @param updatedAt     ISO-8601 instant of the last change
 * @param study         the DICOM StudyInstanceUID, null for other formats
 * @param view          the DICOM ViewPosition (PA, AP, LL…), null when none
 * @param phi           the DICOM header names the patient (a direct identifier) or declares burned-in annotation
 * @param sopInstanceUid the DICOM SOPInstanceUID: images of a dataset that share it are one content group
 */
@RegisterForReflection
public record ImageRecord(
        String dataset,
        String imageId,
        String key,
        String label,
        String subtype,
        String patient,
        String originalSplit,
        String format,
        int width,
        int height,
        int channels,
        int bitDepth,
        long sizeBytes,
        String contentId,
        ImageStatus status,
        String reason,
        String duplicateOf,
        String sequencer,
        String updatedAt,
        String study,
        String view,
        boolean phi,
        String sopInstanceUid) {

    /**
     * What makes two images the same content: the DICOM SOPInstanceUID when there is one (a re-export of an
     * instance is the same image even with other bytes), else the bytes' identity ({@link #contentId}).
     */
    public String contentKey() {
        return sopInstanceUid != null ? "SOP:" + sopInstanceUid : contentId;
    }

    /** The leakage group: the patient, or the image alone when it has no patient. */
    public String group() {
        return patient != null ? "P:" + patient : "I:" + imageId;
    }

    /** A builder for an image that was analysed and accepted. */
    public static Builder indexed(String dataset, String imageId) {
        return new Builder(dataset, imageId).indexed();
    }

    /** A builder for an object that is not a usable image, and why. */
    public static Builder rejected(String dataset, String imageId, String reason) {
        return new Builder(dataset, imageId).rejected(reason);
    }

    /**
     * What the index keeps of a deleted object: only its identity and the event that deleted it, so that an
     * older create arriving late is recognised as stale.
     */
    public static ImageRecord tombstone(String dataset, String imageId, String key, String sequencer,
            String updatedAt) {
        return new Builder(dataset, imageId).key(key).status(ImageStatus.DELETED, null, null).sequencer(sequencer)
                .updatedAt(updatedAt).build();
    }

    /** A builder whose status is still to be set (codecs that read it from storage). */
    public static Builder builder(String dataset, String imageId) {
        return new Builder(dataset, imageId);
    }

    /** A builder holding this record's values. */
    public Builder toBuilder() {
        return new Builder(dataset, imageId).key(key).label(label).subtype(subtype).patient(patient)
                .originalSplit(originalSplit).format(format).width(width).height(height).channels(channels)
                .bitDepth(bitDepth).sizeBytes(sizeBytes).contentId(contentId).sequencer(sequencer)
                .status(status, reason, duplicateOf).updatedAt(updatedAt).study(study).view(view).phi(phi)
                .sopInstanceUid(sopInstanceUid);
    }

    /** Builds an {@link ImageRecord} by name; what is not set stays null or 0, its "unknown". */
    public static final class Builder {
        private final String dataset;
        private final String imageId;
        private String key;
        private String label;
        private String subtype;
        private String patient;
        private String originalSplit;
        private String format;
        private int width;
        private int height;
        private int channels;
        private int bitDepth;
        private long sizeBytes;
        private String contentId;
        private ImageStatus status;
        private String reason;
        private String duplicateOf;
        private String sequencer;
        private String updatedAt;
        private String study;
        private String view;
        private boolean phi;
        private String sopInstanceUid;

        private Builder(String dataset, String imageId) {
            this.dataset = dataset;
            this.imageId = imageId;
        }

        public Builder key(String key) {
            this.key = key;
            return this;
        }

        public Builder label(String label) {
            this.label = label;
            return this;
        }

        public Builder subtype(String subtype) {
            this.subtype = subtype;
            return this;
        }

        public Builder patient(String patient) {
            this.patient = patient;
            return this;
        }

        public Builder originalSplit(String originalSplit) {
            this.originalSplit = originalSplit;
            return this;
        }

        public Builder format(String format) {
            this.format = format;
            return this;
        }

        public Builder width(int width) {
            this.width = width;
            return this;
        }

        public Builder height(int height) {
            this.height = height;
            return this;
        }

        public Builder channels(int channels) {
            this.channels = channels;
            return this;
        }

        public Builder bitDepth(int bitDepth) {
            this.bitDepth = bitDepth;
            return this;
        }

        public Builder sizeBytes(long sizeBytes) {
            this.sizeBytes = sizeBytes;
            return this;
        }

        public Builder contentId(String contentId) {
            this.contentId = contentId;
            return this;
        }

        /** INDEXED, which carries neither a reason nor an original. */
        public Builder indexed() {
            return status(ImageStatus.INDEXED, null, null);
        }

        public Builder rejected(String reason) {
            return status(ImageStatus.REJECTED, reason, null);
        }

        /** DUPLICATE of the image that owns the content. */
        public Builder duplicateOf(String owner, String reason) {
            return status(ImageStatus.DUPLICATE, reason, owner);
        }

        /** The status with its reason and original as stored (each null where it does not apply). */
        public Builder status(ImageStatus status, String reason, String duplicateOf) {
            this.status = status;
            this.reason = reason;
            this.duplicateOf = duplicateOf;
            return this;
        }

        public Builder sequencer(String sequencer) {
            this.sequencer = sequencer;
            return this;
        }

        public Builder updatedAt(String updatedAt) {
            this.updatedAt = updatedAt;
            return this;
        }

        public Builder study(String study) {
            this.study = study;
            return this;
        }

        public Builder view(String view) {
            this.view = view;
            return this;
        }

        public Builder phi(boolean phi) {
            this.phi = phi;
            return this;
        }

        public Builder sopInstanceUid(String sopInstanceUid) {
            this.sopInstanceUid = sopInstanceUid;
            return this;
        }

        /** @throws NullPointerException when no status was set: every stored image has one */
        public ImageRecord build() {
            Objects.requireNonNull(status, "status");
            return new ImageRecord(dataset, imageId, key, label, subtype, patient, originalSplit, format, width, height,
                    channels, bitDepth, sizeBytes, contentId, status, reason, duplicateOf, sequencer, updatedAt, study,
                    view, phi, sopInstanceUid);
        }
    }
}
