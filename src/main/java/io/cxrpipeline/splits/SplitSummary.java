package io.cxrpipeline.splits;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The {@code summary.json} of a split: what was asked, what the index held, what each split got before and
 * after balancing, and the checks recomputed from the written manifests.
 *
 * @param splitId                     the split id
 * @param dataset                     the dataset
 * @param createdAt                   when the split was made (ISO-8601)
 * @param parameters                  the normalised parameters (defaults resolved), as hashed into the id
 * @param index                       the index state the split was made from
 * @param classes                     the classes in class-index order
 * @param splits                      train, val and test
 * @param classWeights                scikit-learn's 'balanced' weights n_samples / (n_classes * n_c) over the
 *                                    train manifest's rows as written (about 1 after oversampling; the weights
 *                                    to apply with the class-weights strategy)
 * @param classWeightsBeforeBalancing the same formula over train's images before balancing
 * @param leakage                     the leakage check, recomputed from the manifest rows
 * @param ratioDeviation              how far each class's split shares are from the ratios
 * @param files                       the URIs of the split's files by name
 * @param excluded                    contents left out of every split: images uploaded under several classes
 */
@RegisterForReflection
public record SplitSummary(
        String splitId,
        String dataset,
        String createdAt,
        Map<String, Object> parameters,
        IndexState index,
        List<String> classes,
        Map<String, SplitCounts> splits,
        Map<String, Double> classWeights,
        Map<String, Double> classWeightsBeforeBalancing,
        Leakage leakage,
        RatioDeviation ratioDeviation,
        Map<String, String> files,
        Excluded excluded) {

    /** At most this many excluded images are listed one by one; {@link Excluded#labelConflicts()} counts all. */
    public static final int EXCLUDED_LISTED = 1000;

    /**
     * What the split leaves out although it is in the bucket under a class folder.
     *
     * @param labelConflicts contents (CONFLICT images) uploaded under more than one class: trained on by no split
     * @param images         the CONFLICT images, by image id (at most {@value #EXCLUDED_LISTED})
     */
    @RegisterForReflection
    public record Excluded(long labelConflicts, List<ExcludedImage> images) {
    }

    /**
     * One excluded image.
     *
     * @param imageId its id
     * @param key     its S3 key
     * @param reason  why (names the classes)
     */
    @RegisterForReflection
    public record ExcludedImage(String imageId, String key, String reason) {
    }

    /**
     * The index state.
     *
     * @param digest         SHA-256 over the sorted INDEXED images (see {@code digestOf})
     * @param digestOf       what the digest covers
     * @param images         INDEXED images read
     * @param patients       distinct patients
     * @param groups         leakage groups (patient and identical-content unions, per the parameters)
     * @param groupsPerClass groups holding images of each class
     */
    @RegisterForReflection
    public record IndexState(String digest, String digestOf, long images, long patients, long groups,
            Map<String, Long> groupsPerClass) {
    }

    /**
     * One split.
     *
     * @param ratio     the requested share
     * @param images    distinct images in the split
     * @param rows      manifest rows after balancing
     * @param groups    leakage groups in the split
     * @param patients  distinct patients in the split
     * @param balancing how it was balanced
     * @param classes   per class: images before balancing, rows after, and per subtype
     */
    @RegisterForReflection
    public record SplitCounts(double ratio, long images, long rows, long groups, long patients, Balancing balancing,
            List<ClassCounts> classes) {
    }

    /**
     * Balancing of a split.
     *
     * @param strategy    oversample, undersample, class-weights or none
     * @param target      majority, minority, mean or a count; null when not resampled
     * @param targetCount the resolved count per class; null when not resampled
     */
    @RegisterForReflection
    public record Balancing(String strategy, Object target, Long targetCount) {
    }

    /**
     * One class in one split.
     *
     * @param label      the class name
     * @param classIndex its index (the manifests' {@code class})
     * @param before     images before balancing
     * @param after      manifest rows after balancing
     * @param minUses    fewest rows any of its images got
     * @param maxUses    most rows any of its images got
     * @param subtypes   the same per subtype (subtype null: none)
     */
    @RegisterForReflection
    public record ClassCounts(@JsonProperty("class") String label, int classIndex, long before, long after,
            int minUses, int maxUses, List<SubtypeCounts> subtypes) {
    }

    /** Images before and rows after balancing, for one subtype of a class in a split. */
    @RegisterForReflection
    public record SubtypeCounts(String subtype, long before, long after) {
    }

    /**
     * The leakage check, recomputed from the rows written to the three manifests.
     *
     * @param checkedOn                    what was checked
     * @param imagesInSeveralSplits        images with rows in two splits (must be 0)
     * @param patientsInSeveralSplits      patients with images in two splits
     * @param contentGroupsInSeveralSplits identical contents with images in two splits
     * @param groupsInSeveralSplits        leakage groups with images in two splits
     * @param passed                       all four are 0
     */
    @RegisterForReflection
    public record Leakage(String checkedOn, long imagesInSeveralSplits, long patientsInSeveralSplits,
            long contentGroupsInSeveralSplits, long groupsInSeveralSplits, boolean passed) {
    }

    /**
     * Distance of the split from the requested ratios, before balancing, in percentage points.
     *
     * @param maxPercentagePoints           the largest |share of a class's images in a split − the split's ratio|
     * @param maxClassSharePercentagePoints the largest |a class's share of a split − its share of the dataset|
     * @param classes                       per class and split
     */
    @RegisterForReflection
    public record RatioDeviation(double maxPercentagePoints, double maxClassSharePercentagePoints,
            List<ClassDeviation> classes) {
    }

    /** Deviation of one class, per split. */
    @RegisterForReflection
    public record ClassDeviation(@JsonProperty("class") String label, long images,
            Map<String, SplitDeviation> splits) {
    }

    /**
     * One class in one split.
     *
     * @param target                         the split's ratio
     * @param actual                         the share of the class's images the split got
     * @param deviationPercentagePoints      100 × (actual − target)
     * @param shareInSplit                   the class's share of the split's images
     * @param shareInDataset                 the class's share of the dataset
     * @param shareDeviationPercentagePoints 100 × (shareInSplit − shareInDataset)
     */
    @RegisterForReflection
    public record SplitDeviation(double target, double actual, double deviationPercentagePoints, double shareInSplit,
            double shareInDataset, double shareDeviationPercentagePoints) {
    }
}
