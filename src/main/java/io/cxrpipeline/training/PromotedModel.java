package io.cxrpipeline.training;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The model the predict function serves (pk {@code MODEL}, sk {@code PROMOTED}).
 *
 * @param metric          the promotion metric it was promoted on, with its value (for the next comparison)
 * @param previousVersion the version it replaced, or null
 */
@RegisterForReflection
public record PromotedModel(String version, String modelUri, String promotedAt, String runId, String metric,
        Double metricValue, String previousVersion) {
}
