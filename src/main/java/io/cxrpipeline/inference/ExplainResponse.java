package io.cxrpipeline.inference;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The answer for a single image asked with {@code explain=true}: the prediction and its Grad-CAM map. */
@RegisterForReflection
public record ExplainResponse(String label, Map<String, Double> probabilities, double threshold, String modelVersion,
        ImageHeader image, Timings timings, Explanation explanation) {
}
