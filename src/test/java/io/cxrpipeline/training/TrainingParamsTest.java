package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.cxrpipeline.api.ProblemMapper;
import io.cxrpipeline.common.DomainException;

class TrainingParamsTest {

    @Test
    void defaultsFitFineTuningVgg16WithoutFlips() {
        TrainingParams p = TrainingParams.resolve(new TrainingRunRequest("d", "s", null, null, null, null), "vgg16");
        assertEquals("vgg16", p.arch());
        assertEquals(new TrainingParams.Hyperparameters(10, 32, 1e-4, 224, 1, "vgg16", 3, "adam", 42),
                p.hyperparameters());
        assertEquals(new TrainingParams.Augmentation(10, 0.1, 0.1, 0.1, 0.1, 0.1, false), p.augmentation());
        assertEquals("auto", p.classWeights());
    }

    @Test
    void theSmallNetDefaultsToAFasterLearningRate() {
        TrainingParams p = TrainingParams.resolve(new TrainingRunRequest("d", "s",
                new TrainingRunRequest.Hyperparameters(null, null, null, null, null, "small", null, null, null),
                null, null, null), "vgg16");
        assertEquals(1e-3, p.hyperparameters().learningRate());
        assertFalse(p.augmentation().horizontalFlip());
    }

    @ParameterizedTest
    @CsvSource({
            "epochs, 0, hyperparameters.epochs",
            "epochs, 2.5, hyperparameters.epochs",
            "batchSize, 5000, hyperparameters.batchSize",
            "learningRate, 2, hyperparameters.learningRate",
            "learningRate, 0, hyperparameters.learningRate",
            "imageSize, 100, hyperparameters.imageSize",
            "imageSize, 2048, hyperparameters.imageSize",
            "fineTuneBlocks, 6, hyperparameters.fineTuneBlocks",
            "patience, -1, hyperparameters.patience",
    })
    void badHyperparametersNameTheField(String name, String value, String field) {
        BigDecimal v = new BigDecimal(value);
        TrainingRunRequest.Hyperparameters h = new TrainingRunRequest.Hyperparameters(
                name.equals("epochs") ? v : null, name.equals("batchSize") ? v : null,
                name.equals("learningRate") ? v : null, name.equals("imageSize") ? v : null,
                name.equals("fineTuneBlocks") ? v : null, null, name.equals("patience") ? v : null, null, null);
        DomainException e = assertThrows(DomainException.class,
                () -> TrainingParams.resolve(new TrainingRunRequest("d", "s", h, null, null, null), "vgg16"));
        assertEquals(400, status(e));
        assertEquals(field, e.field());
    }

    @Test
    void badChoicesAndAugmentationNameTheField() {
        assertEquals("hyperparameters.arch", field(new TrainingRunRequest("d", "s",
                new TrainingRunRequest.Hyperparameters(null, null, null, null, null, "resnet", null, null, null),
                null, null, null)));
        assertEquals("hyperparameters.optimizer", field(new TrainingRunRequest("d", "s",
                new TrainingRunRequest.Hyperparameters(null, null, null, null, null, null, null, "rmsprop", null),
                null, null, null)));
        assertEquals("augmentation.zoom", field(new TrainingRunRequest("d", "s", null,
                new TrainingRunRequest.Augmentation(null, null, null, 0.95, null, null, null), null, null)));
        assertEquals("augmentation.rotationDegrees", field(new TrainingRunRequest("d", "s", null,
                new TrainingRunRequest.Augmentation(-1, null, null, null, null, null, null), null, null)));
        assertEquals("classWeights", field(new TrainingRunRequest("d", "s", null, null, "balanced", null)));
    }

    @Test
    void evaluationOptionsDefaultToSensitivityTemperatureAndAThousandResamples() {
        TrainingParams p = TrainingParams.resolve(new TrainingRunRequest("d", "s", null, null, null, null), "vgg16");
        assertEquals(new TrainingParams.OperatingPoint("sensitivity", 0.95), p.operatingPoint());
        assertEquals("temperature", p.calibration());
        assertEquals(1000, p.bootstrapResamples());

        TrainingParams q = TrainingParams.resolve(new TrainingRunRequest("d", "s", null, null, null, null,
                new TrainingRunRequest.OperatingPoint("youden", null), "none", 0), "vgg16");
        assertEquals(new TrainingParams.OperatingPoint("youden", 0.95), q.operatingPoint());
        assertEquals("none", q.calibration());
        assertEquals(0, q.bootstrapResamples());
    }

    @ParameterizedTest
    @CsvSource({
            "method, roc, operatingPoint.method",
            "target, 0.3, operatingPoint.targetSensitivity",
            "target, 1.01, operatingPoint.targetSensitivity",
            "calibration, platt, calibration",
            "bootstrap, 100001, bootstrapResamples",
            "bootstrap, -1, bootstrapResamples",
            "bootstrap, 10.5, bootstrapResamples",
    })
    void badEvaluationOptionsNameTheField(String name, String value, String field) {
        TrainingRunRequest.OperatingPoint op = new TrainingRunRequest.OperatingPoint(
                name.equals("method") ? value : null, name.equals("target") ? new BigDecimal(value) : null);
        TrainingRunRequest r = new TrainingRunRequest("d", "s", null, null, null, null, op,
                name.equals("calibration") ? value : null, name.equals("bootstrap") ? new BigDecimal(value) : null);
        DomainException e = assertThrows(DomainException.class, () -> TrainingParams.resolve(r, "vgg16"));
        assertEquals(400, status(e));
        assertEquals(field, e.field());
    }

    private static String field(TrainingRunRequest r) {
        return assertThrows(DomainException.class, () -> TrainingParams.resolve(r, "vgg16")).field();
    }

    /** The HTTP status the edge answers for the exception. */
    static int status(DomainException e) {
        return ProblemMapper.toProblem(e, "POST", "/").status();
    }
}
