package io.cxrpipeline.training;

import java.util.Map;
import java.util.OptionalDouble;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A registered model (pk {@code MODEL}, sk {@code V#<version>}): the ONNX file a run wrote and its test metrics.
 * Versions sort by the time their run succeeded.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelVersion(String version, String runId, String modelUri, Map<String, Object> metrics,
        String createdAt, String dataset, String splitId) {

    /** A numeric test metric ({@code roc_auc}, {@code sensitivity}, ...), empty when absent or not a number. */
    public OptionalDouble metric(String name) {
        Object v = metrics == null ? null : metrics.get(name);
        return v instanceof Number n && !Double.isNaN(n.doubleValue()) ? OptionalDouble.of(n.doubleValue())
                : OptionalDouble.empty();
    }
}
