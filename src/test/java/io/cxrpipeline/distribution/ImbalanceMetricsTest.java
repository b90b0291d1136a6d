package io.cxrpipeline.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ImbalanceMetricsTest {

    @Test
    void kermanysTrainFolderHasTheKnownImbalance() {
        ImbalanceMetrics m = ImbalanceMetrics.of(List.of("NORMAL", "PNEUMONIA"),
                Map.of("NORMAL", 1341L, "PNEUMONIA", 3875L));
        assertEquals("PNEUMONIA", m.majorityClass());
        assertEquals("NORMAL", m.minorityClass());
        assertEquals(3875.0 / 1341, m.imbalanceRatio(), 1e-12);
        assertEquals((3875.0 - 1341) / (3875 + 1341), m.classImbalance(), 1e-12);
        // Two classes: the minority's one-vs-rest CI is the headline CI, the majority's is its negative.
        assertEquals(m.classImbalance(), m.classImbalanceOneVsRest().get("NORMAL"), 1e-12);
        assertEquals(-m.classImbalance(), m.classImbalanceOneVsRest().get("PNEUMONIA"), 1e-12);
        double p = 1341.0 / 5216;
        double h = -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
        assertEquals(h, m.normalisedEntropy(), 1e-12);
    }

    @Test
    void balancedClassesHaveRatioOneCiZeroAndEntropyOne() {
        ImbalanceMetrics m = ImbalanceMetrics.of(List.of("A", "B", "C"), Map.of("A", 10L, "B", 10L, "C", 10L));
        assertEquals(1.0, m.imbalanceRatio());
        assertEquals("A", m.majorityClass());
        assertEquals("C", m.minorityClass(), "ties: majority first, minority last in class order");
        assertEquals(0.0, m.classImbalance());
        assertEquals(1.0, m.normalisedEntropy(), 1e-12);
        assertEquals(1.0 / 3, m.classImbalanceOneVsRest().get("B"), 1e-12);
    }

    @Test
    void threeClassesCompareMajorityWithMinorityAndEachClassWithTheRest() {
        ImbalanceMetrics m = ImbalanceMetrics.of(List.of("A", "B", "C"), Map.of("A", 60L, "B", 30L, "C", 10L));
        assertEquals(6.0, m.imbalanceRatio());
        assertEquals(50.0 / 70, m.classImbalance(), 1e-12);
        assertEquals((40.0 - 60) / 100, m.classImbalanceOneVsRest().get("A"), 1e-12);
        assertEquals((90.0 - 10) / 100, m.classImbalanceOneVsRest().get("C"), 1e-12);
    }

    @Test
    void aMissingClassMakesTheRatioUndefinedAndCiOne() {
        ImbalanceMetrics m = ImbalanceMetrics.of(List.of("NORMAL", "PNEUMONIA"), Map.of("PNEUMONIA", 5L));
        assertNull(m.imbalanceRatio());
        assertEquals(1.0, m.classImbalance());
        assertEquals(0.0, m.normalisedEntropy());
    }

    @Test
    void noImagesHaveNoMetrics() {
        ImbalanceMetrics m = ImbalanceMetrics.of(List.of("NORMAL", "PNEUMONIA"), Map.of());
        assertNull(m.classImbalance());
        assertNull(m.normalisedEntropy());
    }
}
