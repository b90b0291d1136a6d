package io.cxrpipeline.inference;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Where the model looked: the Grad-CAM map of the predicted class on the last convolutional block.
 *
 * @param method     {@code grad-cam}
 * @param className  the class the map explains (the predicted one)
 * @param grid       the map as the model computed it (rows x columns of the last block, ReLU'd, not normalised)
 * @param overlayPng a PNG (base64) of the model's input image with the map, normalised to its peak, laid over it
 */
@RegisterForReflection
public record Explanation(String method, String className, float[][] grid, String overlayPng) {
}
