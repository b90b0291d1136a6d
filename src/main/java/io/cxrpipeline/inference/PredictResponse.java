package io.cxrpipeline.inference;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The answer for a single image. */
@RegisterForReflection
public record PredictResponse(String label, Map<String, Double> probabilities, double threshold, String modelVersion,
        ImageHeader image, Timings timings) {
}
