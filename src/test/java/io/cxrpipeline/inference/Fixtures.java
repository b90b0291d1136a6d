package io.cxrpipeline.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/** The committed test models, images and reference tensors (made by src/test/python/make_test_models.py). */
final class Fixtures {

    static final String DIR = "models/";
    static final List<String> IMAGES = List.of("xray-gray.jpg", "xray-gray.png", "xray-rgb.png");

    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + DIR + name
                        + " (run /usr/bin/python3 src/test/python/make_test_models.py fixtures)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A resource as a file path (the models are loaded by path, as in production). */
    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getClassLoader().getResource(DIR + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource " + DIR + name, e);
        }
    }

    /** Little-endian float32 file. */
    static float[] floats(String name) {
        byte[] b = bytes(name);
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    static OnnxModel.Options options() {
        return new OnnxModel.Options(2, Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"), 0.5);
    }

    static OnnxModel.Options options(Preset preset) {
        return new OnnxModel.Options(2, preset, List.of("NORMAL", "PNEUMONIA"), 0.5);
    }
}
