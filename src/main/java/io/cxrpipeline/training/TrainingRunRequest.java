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
        String clientToken,
        OperatingPoint operatingPoint,
        String calibration,
        Number bootstrapResamples) {

    /** A request with the evaluation options left to their defaults. */
    public TrainingRunRequest(String dataset, String splitId, Hyperparameters hyperparameters,
            Augmentation augmentation, String classWeights, String clientToken) {
        this(dataset, splitId, hyperparameters, augmentation, classWeights, clientToken, null, null, null);
    }

    /** How the decision threshold is chosen on the validation manifest; every field is optional. */
    @RegisterForReflection
    public record OperatingPoint(String method, Number targetSensitivity) {
    }

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
