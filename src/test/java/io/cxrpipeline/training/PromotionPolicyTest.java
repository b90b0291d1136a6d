package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    private static PromotionPolicy.Paired paired(String version, double diff, double p) {
        return new PromotionPolicy.Paired(version, 300, 0.9 + diff, 0.9, diff, diff - 0.02, diff + 0.02, p, "DeLong");
    }

    @Test
    void aPairedComparisonWithThePromotedModelDecidesBySignificance() {
        // The unpaired figure would say "worse" (0.85 < 0.9): the paired one on the same images decides.
        assertTrue(policy.decide(model(0.85, 0.9), current, OptionalDouble.of(0.9), paired("v1", 0.03, 0.01))
                .promote());
        PromotionPolicy.Decision notSignificant = policy.decide(model(0.95, 0.9), current, OptionalDouble.of(0.9),
                paired("v1", 0.03, 0.08));
        assertFalse(notSignificant.promote());
        assertTrue(notSignificant.reason().contains("one-sided p = 0.0800 is not below the significance 0.0500"),
                notSignificant.reason());
        assertFalse(policy.decide(model(0.95, 0.9), current, OptionalDouble.of(0.9), paired("v1", -0.01, 0.7))
                .promote());
        assertTrue(new PromotionPolicy("roc_auc", 0.8, 0.1).decide(model(0.95, 0.9), current, OptionalDouble.of(0.9),
                paired("v1", 0.03, 0.08)).promote());
        // The sensitivity floor still applies.
        assertFalse(policy.decide(model(0.95, 0.7), current, OptionalDouble.of(0.9), paired("v1", 0.05, 0.001))
                .promote());
    }

    @Test
    void aComparisonWithAnotherModelIsNotPairedWithThePromotedOne() {
        PromotionPolicy.Decision d = policy.decide(model(0.95, 0.9), current, OptionalDouble.of(0.9),
                paired("v0", 0.03, 0.001));
        assertTrue(d.promote());
        assertTrue(d.reason().contains("unpaired: the run was compared with v0, not the promoted v1"), d.reason());
        assertTrue(policy.decide(model(0.95, 0.9), current, OptionalDouble.of(0.9)).reason()
                .contains("unpaired: the two test sets differ"));
    }

    @Test
    void theComparisonIsReadFromTheMetricsDocument() {
        Map<String, Object> evaluation = Map.of("comparison", Map.of("n", 120, "promotedVersion", "v1", "metrics",
                Map.of("roc_auc", Map.of("new", 0.93, "promoted", 0.91, "difference", 0.02, "pValueGreater", 0.04,
                        "test", "DeLong", "ci", Map.of("low", -0.001, "high", 0.041)))));
        assertEquals(new PromotionPolicy.Paired("v1", 120, 0.93, 0.91, 0.02, -0.001, 0.041, 0.04, "DeLong"),
                PromotionPolicy.Paired.of(evaluation, "roc_auc"));
        assertNull(PromotionPolicy.Paired.of(evaluation, "f1"));
        assertNull(PromotionPolicy.Paired.of(Map.of("comparison", Map.of()), "roc_auc"));
        assertNull(PromotionPolicy.Paired.of(null, "roc_auc"));
    }
}
