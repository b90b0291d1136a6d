package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** A model written as graph and weights apart: the same outputs as the whole model, no files left behind. */
class OnnxWeightsTest {

    static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @Test
    void largeWeightsLeaveTheGraphAndSmallOnesStay() {
        byte[] model = Fixtures.bytes("tiny-vgg.onnx");
        OnnxWeights.Split split = OnnxWeights.split(direct(model));
        assertFalse(split.weights().isEmpty());
        long moved = 0;
        HashSet<String> names = new HashSet<>();
        for (OnnxWeights.Weight w : split.weights()) {
            assertTrue(w.length() >= OnnxWeights.MIN_BYTES, w.name());
            assertTrue(names.add(w.name()), "one entry per initializer");
            long count = 1;
            for (long d : w.dims()) {
                count *= d;
            }
            assertEquals(count * OnnxWeights.elementSize(w.dataType()), w.length(), w.name());
            moved += w.length();
        }
        assertTrue(split.graph().length < model.length - moved + 4096,
                "graph " + split.graph().length + " B of a " + model.length + " B model with " + moved + " B moved");
    }

    @Test
    void aModelLoadedAsGraphAndWeightsApartAnswersAsTheWholeOneAndLeavesNoFiles(@TempDir Path dir) throws Exception {
        for (String name : List.of("tiny-vgg.onnx", "tiny-vgg-int8.onnx", "tiny-keras.onnx", "tiny-gradcam.onnx")) {
            OnnxModel.Options defaults = name.contains("keras") ? Fixtures.options(Preset.KERAS_VGG16) : Fixtures.options();
            OnnxModel.Options apart = new OnnxModel.Options(defaults.threads(), defaults.preset(), defaults.classNames(),
                    defaults.threshold(), dir);
            try (OnnxModel model = OnnxModel.load(Fixtures.path(name), name, "fixture", apart)) {
                try (Stream<Path> left = Files.list(dir)) {
                    assertEquals(List.of(), left.toList(), "the graph and weights files are unlinked once loaded");
                }
                float[] input = new float[2 * model.preprocessing().tensorSize()];
                Random r = new Random(7);
                for (int i = 0; i < input.length; i++) {
                    input[i] = (float) r.nextGaussian();
                }
                float[][] split = OnnxModelTest.run(model, input, 2);
                float[][] whole = whole(Fixtures.bytes(name), model, input);
                for (int i = 0; i < 2; i++) {
                    assertArrayEquals(whole[i], split[i], 1e-6f, name);
                }
            }
        }
    }

    @Test
    void theWeightsFileHoldsEveryMovedWeightPageAlignedAndTheGraphPointsAtIt(@TempDir Path dir) throws Exception {
        ByteBuffer model = direct(Fixtures.bytes("tiny-vgg.onnx"));
        List<OnnxWeights.Weight> weights = OnnxWeights.split(model).weights();
        byte[] graph = OnnxWeights.writeWeights(model, dir.resolve("w.bin"));
        byte[] file = Files.readAllBytes(dir.resolve("w.bin"));
        long at = 0;
        for (OnnxWeights.Weight w : weights) {
            at = (at + OnnxWeights.ALIGNMENT - 1) / OnnxWeights.ALIGNMENT * OnnxWeights.ALIGNMENT;
            byte[] expected = new byte[w.length()];
            model.get(w.offset(), expected);
            assertArrayEquals(expected, Arrays.copyOfRange(file, (int) at, (int) at + w.length()), w.name());
            at += w.length();
        }
        assertEquals(at, file.length);
        assertTrue(new String(graph, StandardCharsets.ISO_8859_1).contains("w.bin"));
    }

    /** The outputs of a plain session on the whole model bytes. */
    private static float[][] whole(byte[] bytes, OnnxModel split, float[] input) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(bytes, so)) {
                long[] shape = split.inputShape();
                shape[0] = 2;
                try (OnnxTensor x = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(input), shape);
                        OrtSession.Result result = session.run(Map.of(split.inputName(), x))) {
                    return (float[][]) result.get(split.outputName()).orElseThrow().getValue();
                }
            }
        }
    }

    @Test
    void aModelWhoseWeightsAreAlreadyInAnExternalFileIsReadWholeFromItsOwnDirectory(@TempDir Path dir) throws Exception {
        // ONNX Runtime's own copy of the fixture with its weights in model.data beside model.onnx.
        Path own = dir.resolve("own");
        Files.createDirectories(own);
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            so.setOptimizedModelFilePath(own.resolve("model.onnx").toString());
            so.addConfigEntry("session.optimized_model_external_initializers_file_name", "model.data");
            so.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            OrtEnvironment.getEnvironment().createSession(Fixtures.path("tiny-vgg.onnx").toString(), so).close();
        }
        assertTrue(Files.size(own.resolve("model.data")) > 0);
        ByteBuffer model = direct(Files.readAllBytes(own.resolve("model.onnx")));
        assertThrows(IllegalArgumentException.class, () -> OnnxWeights.writeWeights(model, dir.resolve("w.bin")));
        OnnxModel.Options o = Fixtures.options();
        Path work = dir.resolve("work");
        try (OnnxModel external = OnnxModel.load(own.resolve("model.onnx"), "own", "fixture",
                new OnnxModel.Options(o.threads(), o.preset(), o.classNames(), o.threshold(), work));
                OnnxModel whole = OnnxModel.load(Fixtures.path("tiny-vgg.onnx"), "whole", "fixture", o)) {
            float[] input = new float[whole.preprocessing().tensorSize()];
            Arrays.fill(input, 0.25f);
            assertArrayEquals(OnnxModelTest.run(whole, input, 1)[0], OnnxModelTest.run(external, input, 1)[0], 1e-6f);
        }
    }

    @Test
    void bytesThatAreNoProtobufAreRefusedAndTheModelIsThenReadWhole(@TempDir Path dir) throws Exception {
        byte[] junk = new byte[4096];
        new Random(3).nextBytes(junk);
        junk[0] = (byte) 0x3a; // field 7, length-delimited
        junk[1] = (byte) 0xff;
        junk[2] = (byte) 0x7f; // a length far past the end
        assertThrows(IllegalArgumentException.class, () -> OnnxWeights.split(direct(junk)));
        Path file = dir.resolve("junk.onnx");
        Files.write(file, junk);
        OnnxModel.Options o = Fixtures.options();
        Path work = dir.resolve("work");
        // ONNX Runtime says what is wrong with it, as without the split; nothing is left behind.
        assertThrows(OrtException.class, () -> OnnxModel.load(file, "junk", "fixture",
                new OnnxModel.Options(o.threads(), o.preset(), o.classNames(), o.threshold(), work)));
        try (Stream<Path> left = Files.list(work)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
