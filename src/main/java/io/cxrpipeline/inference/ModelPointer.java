package io.cxrpipeline.inference;

/** The registry's promoted model: its version and where its {@code model.onnx} lies. */
public record ModelPointer(String version, String modelUri) {
}
