package io.cxrpipeline.splits;

/**
 * A split as the table records it, once its manifests are complete.
 *
 * @param dataset        the dataset
 * @param splitId        hash of the index state and the normalised parameters
 * @param manifestPrefix {@code s3://bucket/manifests/<dataset>/<splitId>/}
 * @param createdAt      ISO-8601 instant the split was first made
 * @param summary        the summary document (JSON), the same bytes as {@code summary.json}
 */
public record StoredSplit(String dataset, String splitId, String manifestPrefix, String createdAt, String summary) {

    /** The URI of a file of the split, e.g. {@code train.jsonl}. */
    public String file(String name) {
        return manifestPrefix + name;
    }
}
