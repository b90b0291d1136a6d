package io.cxrpipeline.distribution;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The exact class distribution of a dataset, as the index holds it at the time of the request.
 *
 * @param dataset         the dataset
 * @param classes         the configured classes, in class-index order
 * @param images          INDEXED images: the data
 * @param byClass         INDEXED images per class, in class order (0 for a class with none)
 * @param bySubtype       INDEXED images per class and subtype (subtype null: none derived)
 * @param byOriginalSplit INDEXED images per original split folder (null: the key had none), with their
 *                        class counts and imbalance
 * @param byStatus        INDEXED, REJECTED, DUPLICATE and CONFLICT (contents labelled with several classes) objects; only INDEXED ones are data
 * @param imbalance       imbalance metrics of {@code byClass}
 * @param phi             INDEXED images flagged as carrying protected health information (DICOM direct identifiers
 *                        or burned-in annotation); a split's {@code excludePhi} leaves them out
 * @param byView          INDEXED images per view position (DICOM ViewPosition), {@value #NO_VIEW} for images without
 *                        one; a split's {@code views} filter keeps only the views it names
 */
@RegisterForReflection
public record Distribution(
        String dataset,
        List<String> classes,
        long images,
        Map<String, Long> byClass,
        List<SubtypeCount> bySubtype,
        List<OriginalSplitCount> byOriginalSplit,
        Map<String, Long> byStatus,
        ImbalanceMetrics imbalance,
        long phi,
        Map<String, Long> byView) {

    /** The {@code byView} key of images without a view position (a DICOM ViewPosition is never lower case). */
    public static final String NO_VIEW = "none";

    /** Images of one class and subtype. */
    @RegisterForReflection
    public record SubtypeCount(@JsonProperty("class") String label, String subtype, long images) {
    }

    /** Images of one original split folder ({@code train}, {@code val}, {@code test} or none). */
    @RegisterForReflection
    public record OriginalSplitCount(String originalSplit, long images, Map<String, Long> byClass,
            ImbalanceMetrics imbalance) {
    }
}
