package io.cxrpipeline.catalog;

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
        String updatedAt) {

    /** The leakage group: the patient, or the image alone when it has no patient. */
    public String group() {
        return patient != null ? "P:" + patient : "I:" + imageId;
    }
}
