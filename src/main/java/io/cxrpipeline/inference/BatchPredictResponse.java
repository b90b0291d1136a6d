package io.cxrpipeline.inference;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The answer for {@code {"images": […]}}: one prediction per image, in order, and the request's timings. */
@RegisterForReflection
public record BatchPredictResponse(String modelVersion, double threshold, List<ImagePrediction> predictions,
        Timings timings) {
}
