package io.cxrpipeline.inference;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Where the time went, in milliseconds. {@code fetchMs}: reading {@code s3Uri} objects; {@code decodeMs}: JPEG/PNG
 * decoding (subsampled); {@code preprocessMs}: resize and normalisation into the input tensor (request totals sum
 * over images, which a batch decodes in parallel); {@code inferenceMs}:
 * the ONNX Runtime run (per image in a batch: its share of the batched run); {@code totalMs}: the whole request.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timings(Double fetchMs, double decodeMs, double preprocessMs, double inferenceMs, Double totalMs) {

    static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
