package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;

/** ONNX Runtime Java against PyTorch on the committed fixture models. */
class OnnxModelTest {

    static float maxDiff(float[][] actual, float[] expected) {
        float max = 0;
        int k = 0;
        for (float[] row : actual) {
            for (float v : row) {
                max = Math.max(max, Math.abs(v - expected[k++]));
            }
        }
        assertEquals(expected.length, k, "number of outputs");
        return max;
    }

    static float[][] run(OnnxModel model, float[] input, int n) throws Exception {
        FloatBuffer buf = OnnxModel.allocate(input.length);
        buf.put(input).rewind();
        return model.run(buf, n);
    }

    @Test
    void tinyVggMatchesPyTorchWithin1e4() throws Exception {
        try (OnnxModel model = OnnxModel.load(Fixtures.path("tiny-vgg.onnx"), "tiny", "fixture", Fixtures.options())) {
            float[][] out = run(model, Fixtures.floats("tiny-vgg.inputs.f32"), 3);
            float diff = maxDiff(out, Fixtures.floats("tiny-vgg.outputs.f32"));
            assertTrue(diff <= 1e-4f, "max |ORT - PyTorch| = " + diff);
        }
    }

    @Test
    void signatureAndMetadataComeFromTheModel() throws Exception {
        try (OnnxModel model = OnnxModel.load(Fixtures.path("tiny-vgg.onnx"), "tiny", "fixture", Fixtures.options())) {
            assertEquals("input", model.inputName());
            assertEquals("logits", model.outputName());
            assertArrayEquals(new long[] {-1, 3, 64, 64}, model.inputShape());
            assertArrayEquals(new long[] {-1, 2}, model.outputShape());
            Preprocessing p = model.preprocessing();
            assertEquals(64, p.size());
            assertEquals(Preprocessing.Layout.NCHW, p.layout());
            assertEquals(Preprocessing.Output.LOGITS, p.output());
            assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, p.std());
        }
    }

    @Test
    void kerasStyleModelWithoutMetadataRunsWithTheKerasPreset() throws Exception {
        try (OnnxModel model = OnnxModel.load(Fixtures.path("tiny-keras.onnx"), "keras", "fixture",
                Fixtures.options(Preset.KERAS_VGG16))) {
            Preprocessing p = model.preprocessing();
            assertEquals(Preprocessing.Layout.NHWC, p.layout());
            assertEquals(64, p.size());
            assertEquals(Preprocessing.Output.PROBABILITIES, p.output());
            float[][] out = run(model, Fixtures.floats("tiny-keras.inputs.f32"), 2);
            float diff = maxDiff(out, Fixtures.floats("tiny-keras.outputs.f32"));
            assertTrue(diff <= 1e-4f, "max |ORT - PyTorch| = " + diff);
        }
    }

    @Test
    void int8QdqExportRunsAndStaysNearFp32() throws Exception {
        try (OnnxModel fp32 = OnnxModel.load(Fixtures.path("tiny-vgg.onnx"), "fp32", "fixture", Fixtures.options());
                OnnxModel int8 = OnnxModel.load(Fixtures.path("tiny-vgg-int8.onnx"), "int8", "fixture",
                        Fixtures.options())) {
            float[] in = Fixtures.floats("tiny-vgg.inputs.f32");
            float[][] a = run(fp32, in, 3);
            float[][] b = run(int8, in, 3);
            float range = 0;
            float diff = 0;
            for (int i = 0; i < a.length; i++) {
                for (int c = 0; c < a[i].length; c++) {
                    range = Math.max(range, Math.abs(a[i][c]));
                    diff = Math.max(diff, Math.abs(a[i][c] - b[i][c]));
                }
            }
            assertEquals(int8.preprocessing().size(), 64, "metadata carried into the int8 export");
            assertTrue(diff <= 0.1f * range + 1e-3f, "int8 logits differ by " + diff + " (fp32 range " + range + ")");
        }
    }
}
