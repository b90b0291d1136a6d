package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class PredictionTranslatorTest {

    private static Preprocessing model(Preprocessing.Output output, double temperature) {
        return new Preprocessing(224, 3, Preprocessing.Layout.NCHW, 1f / 255, new float[3], new float[] {1, 1, 1},
                List.of("NORMAL", "PNEUMONIA"), 0.5, Preprocessing.Resize.STRETCH, output, temperature);
    }

    @Test
    void temperatureDividesTheLogitsBeforeTheSoftmax() {
        float[] logits = {0.5f, 2.5f};
        double[] p = PredictionTranslator.probabilities(logits, model(Preprocessing.Output.LOGITS, 2.0));
        double positive = 1 / (1 + Math.exp(-(2.5 - 0.5) / 2.0));
        assertArrayEquals(new double[] {1 - positive, positive}, p, 1e-12);
        assertArrayEquals(PredictionTranslator.softmax(logits),
                PredictionTranslator.probabilities(logits, model(Preprocessing.Output.LOGITS, 1.0)), 0);
    }

    @Test
    void aProbabilityModelIsCalibratedOnItsLogarithms() {
        float[] probs = {0.2f, 0.8f};
        double[] p = PredictionTranslator.probabilities(probs, model(Preprocessing.Output.PROBABILITIES, 2.0));
        double positive = Math.sqrt(0.8) / (Math.sqrt(0.8) + Math.sqrt(0.2));
        assertArrayEquals(new double[] {1 - positive, positive}, p, 1e-6);
        assertEquals(0.8, PredictionTranslator.probabilities(probs, model(Preprocessing.Output.PROBABILITIES, 1.0))[1],
                1e-7);
    }

    @Test
    void theDecisionIsTakenOnTheCalibratedProbability() {
        // 0.73 uncalibrated, 0.62 at temperature 2: the 0.7 operating point flips the label.
        float[] logits = {0f, 1f};
        double[] raw = PredictionTranslator.probabilities(logits, model(Preprocessing.Output.LOGITS, 1.0));
        double[] cooled = PredictionTranslator.probabilities(logits, model(Preprocessing.Output.LOGITS, 2.0));
        assertEquals(1, PredictionTranslator.decide(raw, 0.7));
        assertEquals(0, PredictionTranslator.decide(cooled, 0.7));
    }
}
