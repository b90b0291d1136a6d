package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

class PromotionPolicyTest {

    private final PromotionPolicy policy = new PromotionPolicy("roc_auc", 0.8);
    private final PromotedModel current = new PromotedModel("v1", "s3://b/m.onnx", "t", "r", "roc_auc", 0.9, null);

    private static ModelVersion model(Object auc, Object sensitivity) {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        if (auc != null) {
            m.put("roc_auc", auc);
        }
        if (sensitivity != null) {
            m.put("sensitivity", sensitivity);
        }
        return new ModelVersion("v2", "r2", "s3://b/m2.onnx", m, "t", "d", "s");
    }

    @Test
    void theFirstModelAtTheFloorIsPromoted() {
        assertTrue(policy.decide(model(0.6, 0.8), null, OptionalDouble.empty()).promote());
        assertFalse(policy.decide(model(0.99, 0.79), null, OptionalDouble.empty()).promote());
    }

    @Test
    void aModelMustStrictlyBeatThePromotedOne() {
        assertTrue(policy.decide(model(0.91, 0.85), current, OptionalDouble.of(0.9)).promote());
        assertFalse(policy.decide(model(0.9, 0.85), current, OptionalDouble.of(0.9)).promote());
        assertFalse(policy.decide(model(0.95, 0.7), current, OptionalDouble.of(0.9)).promote());
    }

    @Test
    void missingFiguresNeverPromote() {
        assertFalse(policy.decide(model(null, 0.9), null, OptionalDouble.empty()).promote());
        assertFalse(policy.decide(model(0.9, null), null, OptionalDouble.empty()).promote());
        assertFalse(policy.decide(new ModelVersion("v", "r", "u", Map.of("roc_auc", "high"), "t", null, null), null,
                OptionalDouble.empty()).promote());
        // A promoted model whose figure is unknown (set by hand) is left alone.
        assertFalse(policy.decide(model(0.99, 0.99), current, OptionalDouble.empty()).promote());
    }
}
