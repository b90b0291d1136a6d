package io.cxrpipeline.inference;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The prediction for one image.
 *
 * @param label         the decided class
 * @param probabilities per class, in the model's class order
 * @param image         format and size of the image as received
 * @param timings       this image's share of the work
 */
@RegisterForReflection
public record ImagePrediction(String label, Map<String, Double> probabilities, ImageHeader image, Timings timings) {
}
