package io.cxrpipeline.training;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /training-runs}. Numbers are read as {@link Number} so that the validation, not
 * Jackson's lenient coercion, decides what an integer is (2.5 epochs is a 400, not 2).
 */
@RegisterForReflection
public record TrainingRunRequest(
        String dataset,
        String splitId,
        Hyperparameters hyperparameters,
        Augmentation augmentation,
        String classWeights,
        String clientToken) {

    /** Training hyperparameters; every field is optional. */
    @RegisterForReflection
    public record Hyperparameters(Number epochs, Number batchSize, Number learningRate, Number imageSize,
            Number fineTuneBlocks, String arch, Number patience, String optimizer, Number seed) {
    }

    /** On-the-fly augmentation of the training images; every field is optional. */
    @RegisterForReflection
    public record Augmentation(Number rotationDegrees, Number widthShift, Number heightShift, Number zoom,
            Number brightness, Number contrast, Boolean horizontalFlip) {
    }
}
