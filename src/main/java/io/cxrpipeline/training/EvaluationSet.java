package io.cxrpipeline.training;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A dataset's evaluation manifest (pk {@code EVALSET#<dataset>}): the fixed images on which every training run of
 * the dataset scores both its new model and the promoted one, so that promotion compares paired results.
 *
 * @param manifestUri {@code s3://} JSON Lines manifest
 * @param splitId     the split whose test manifest it is, or null for a manifest given by URI
 * @param images      its entries
 * @param pinnedAt    ISO-8601 time it was pinned
 */
@RegisterForReflection
public record EvaluationSet(String dataset, String manifestUri, String splitId, int images, String pinnedAt) {
}
