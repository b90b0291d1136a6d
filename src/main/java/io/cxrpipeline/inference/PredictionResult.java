package io.cxrpipeline.inference;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The predictions for a request, in input order, with the model and threshold that produced them.
 *
 * @param modelVersion the served model version
 * @param threshold    the decision threshold on the positive (last) class
 * @param predictions  one per input image
 * @param timings      the request as a whole (sums over images; the batched inference once)
 */
@RegisterForReflection
public record PredictionResult(String modelVersion, double threshold, List<ImagePrediction> predictions,
        Timings timings) {
}
