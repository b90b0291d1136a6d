package io.cxrpipeline.training;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code PUT /datasets/{dataset}/evaluation-manifest}: a split (its test manifest) or a manifest URI. */
@RegisterForReflection
public record EvaluationSetRequest(String splitId, String manifestUri) {
}
