package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PreprocessingTest {

    static final List<String> CLASSES = List.of("NORMAL", "PNEUMONIA");
    static final long[] NCHW_224 = {-1, 3, 224, 224};
    static final long[] OUT_2 = {-1, 2};

    static Map<String, String> contract() {
        Map<String, String> m = new HashMap<>();
        m.put("cxr.input_size", "224");
        m.put("cxr.channels", "3");
        m.put("cxr.layout", "NCHW");
        m.put("cxr.scale", "0.00392156862745098");
        m.put("cxr.mean", "0.485,0.456,0.406");
        m.put("cxr.std", "0.229,0.224,0.225");
        m.put("cxr.class_names", "NORMAL,PNEUMONIA");
        m.put("cxr.threshold", "0.35");
        m.put("cxr.resize", "stretch");
        m.put("cxr.output", "logits");
        return m;
    }

    @Test
    void metadataDefinesEverything() {
        Preprocessing p = Preprocessing.resolve(contract(), Preset.KERAS_VGG16, List.of("A", "B"), 0.9, NCHW_224,
                OUT_2);
        assertEquals(224, p.size());
        assertEquals(Preprocessing.Layout.NCHW, p.layout());
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, p.mean());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, p.std());
        assertEquals(CLASSES, p.classNames());
        assertEquals(0.35, p.threshold(), 1e-9);
        assertEquals(Preprocessing.Output.LOGITS, p.output());
        assertEquals(Preprocessing.Resize.STRETCH, p.resize());
        assertEquals(1.0, p.temperature(), "no cxr.temperature: uncalibrated");
    }

    @Test
    void theCalibrationTemperatureComesFromTheMetadataAndMustBePositive() {
        Map<String, String> m = contract();
        m.put("cxr.temperature", "1.75");
        assertEquals(1.75, Preprocessing.resolve(m, Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, OUT_2)
                .temperature());
        for (String bad : List.of("0", "-2", "warm", "NaN", "Infinity")) {
            m.put("cxr.temperature", bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Preprocessing.resolve(m, Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, OUT_2), bad);
            assertTrue(e.getMessage().startsWith("cxr.temperature"), e.getMessage());
        }
    }

    @Test
    void torchvisionPresetFillsAModelWithoutMetadata() {
        Preprocessing p = Preprocessing.resolve(Map.of(), Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, OUT_2);
        assertEquals(Preprocessing.Layout.NCHW, p.layout());
        assertEquals(224, p.size());
        assertEquals(1f / 255f, p.scale());
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, p.mean());
        assertEquals(Preprocessing.Output.LOGITS, p.output());
    }

    @Test
    void kerasPresetIsChannelsLastWithoutMeanOrStd() {
        Preprocessing p = Preprocessing.resolve(Map.of(), Preset.KERAS_VGG16, CLASSES, 0.5, new long[] {-1, 224, 224, 3},
                OUT_2);
        assertEquals(Preprocessing.Layout.NHWC, p.layout());
        assertArrayEquals(new float[] {0f, 0f, 0f}, p.mean());
        assertArrayEquals(new float[] {1f, 1f, 1f}, p.std());
        assertEquals(Preprocessing.Output.PROBABILITIES, p.output());
    }

    @Test
    void aPresetThatContradictsTheInputShapeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.resolve(Map.of(), Preset.KERAS_VGG16, CLASSES, 0.5, NCHW_224, OUT_2));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
    }

    @Test
    void metadataSizeMustMatchTheModel() {
        Map<String, String> m = contract();
        m.put("cxr.input_size", "256");
        assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.resolve(m, Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, OUT_2));
    }

    @Test
    void classNamesMustMatchTheOutputWidth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preprocessing.resolve(
                contract(), Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, new long[] {-1, 3}));
        assertTrue(e.getMessage().contains("3 classes"), e.getMessage());
    }

    @Test
    void centreCropIsUnderstood() {
        Map<String, String> m = contract();
        m.put("cxr.resize", "center-crop");
        assertEquals(Preprocessing.Resize.CENTER_CROP,
                Preprocessing.resolve(m, Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, OUT_2).resize());
        m.put("cxr.resize", "letterbox");
        assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.resolve(m, Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, OUT_2));
    }

    @Test
    void thresholdOutsideUnitIntervalIsRefused() {
        Map<String, String> m = contract();
        m.put("cxr.threshold", "1.5");
        assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.resolve(m, Preset.TORCHVISION_VGG16, CLASSES, 0.5, NCHW_224, OUT_2));
    }

    @Test
    void unknownPresetNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preset.of("caffe"));
        assertTrue(e.getMessage().contains("keras-vgg16") && e.getMessage().contains("torchvision-vgg16"));
    }
}
