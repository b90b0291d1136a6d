package io.cxrpipeline.inference;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The JSON form of {@code POST /predict}: exactly one of {@code image} (base64 JPEG/PNG), {@code s3Uri}
 * ({@code s3://<bucket>/<key>} in the pipeline's bucket) or {@code images} (a batch whose elements are base64
 * strings or {@code {"image": …}} / {@code {"s3Uri": …}} objects). {@code explain: true} (a single image only) adds
 * the Grad-CAM map of the predicted class.
 */
@RegisterForReflection
public record PredictRequest(String image, String s3Uri, List<JsonNode> images, Boolean explain) {
}
