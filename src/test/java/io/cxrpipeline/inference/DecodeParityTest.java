package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxrpipeline.imaging.ImageCorpus;
import io.cxrpipeline.imaging.ImageHeaders;
import io.cxrpipeline.imaging.jpeg.GreyJpegDecoder;

/**
 * One acceptance policy for ingest, predict and training: every image of the corpus that the header check accepts
 * (what ingest INDEXES) decodes to the same 224 x 224 grey levels, within 1, in predict's Java path (grey sequential
 * JPEGs DCT-scaled at every scale, the rest at the default subsampled decode) and in the training program's
 * {@code cxrtrain.data.decode} (Pillow, with draft for the same JPEGs); the others are refused by ingest and predict
 * alike, with a reason.
 */
class DecodeParityTest {

    static final String PYTHON = System.getenv().getOrDefault("CXR_PYTHON", "/usr/bin/python3");
    static final int SIZE = 224;
    /** {@code cxr.inference.decode-oversample}'s default. */
    static final int DEFAULT_OVERSAMPLE = 3;

    static final Preprocessing GREY_LEVELS = new Preprocessing(SIZE, 1, Preprocessing.Layout.NCHW, 1f, new float[] {0f},
            new float[] {1f}, List.of("NORMAL", "PNEUMONIA"), 0.5, Preprocessing.Resize.STRETCH,
            Preprocessing.Output.LOGITS);

    @TempDir
    Path dir;

    /** Predict's grey levels for an image: header check, decode, luminance, Pillow-exact resize. */
    static int[] predictPath(byte[] bytes, int oversample) {
        ImageHeader header = ImageHeader.read(bytes);
        ImagePreprocessor pre = new ImagePreprocessor(oversample);
        ImagePreprocessor.Planes planes = pre.decode(bytes, header, GREY_LEVELS);
        FloatBuffer out = FloatBuffer.allocate(SIZE * SIZE);
        pre.write(planes, header.width(), header.height(), GREY_LEVELS, out, 0);
        int[] levels = new int[SIZE * SIZE];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = Math.round(out.get(i));
        }
        return levels;
    }

    /** Training's grey levels for each file, from cxrtrain.data.decode run by the training program's Python. */
    static List<int[]> trainingPath(Path dir, List<Path> files) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is not installed");
        String script = String.join("\n",
                "import sys",
                "sys.path.insert(0, 'infra/training')",
                "from cxrtrain.data import decode, is_grey_sequential_jpeg",
                "for f in sys.argv[1:]:",
                "    with open(f, 'rb') as src:",
                "        out = decode(src.read(), " + SIZE + ")",
                "    assert out.shape == (" + SIZE + ", " + SIZE + "), out.shape",
                "    with open(f + '.gray', 'wb') as dst:",
                "        dst.write(out.tobytes())",
                "    with open(f, 'rb') as src, open(f + '.draft', 'w') as dst:",
                "        dst.write('1' if is_grey_sequential_jpeg(src.read()) else '0')");
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", script));
        files.forEach(f -> command.add(f.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        Assumptions.assumeFalse(output.contains("ModuleNotFoundError: No module named 'PIL'")
                || output.contains("No module named 'numpy'"), "Pillow/numpy missing: " + output);
        assertEquals(0, p.exitValue(), output);
        List<int[]> result = new ArrayList<>();
        for (Path f : files) {
            byte[] gray = Files.readAllBytes(Path.of(f + ".gray"));
            int[] levels = new int[gray.length];
            for (int i = 0; i < gray.length; i++) {
                levels[i] = gray[i] & 0xff;
            }
            result.add(levels);
        }
        return result;
    }

    @Test
    void everyAcceptedImageDecodesAlikeInPredictAndTrainingAndTheRestIsRefusedByBoth() throws Exception {
        Map<String, byte[]> corpus = new LinkedHashMap<>(ImageCorpus.all());
        Map<String, byte[]> scaled = ImageCorpus.dctScaled();
        corpus.putAll(scaled);
        List<String> accepted = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : corpus.entrySet()) {
            byte[] bytes = e.getValue();
            ImageHeaders.Result verdict = ImageHeaders.parse(bytes, bytes.length);
            if (verdict.info() == null) {
                assertNotNull(verdict.rejection(), e.getKey());
                assertThrows(InvalidImageException.class, () -> ImageHeader.read(bytes), e.getKey());
                continue;
            }
            accepted.add(e.getKey());
            Path f = dir.resolve(e.getKey());
            Files.write(f, bytes);
            files.add(f);
        }
        assertEquals(corpus.size() - 1, accepted.size(), "only the CMYK JPEG is refused: " + accepted);
        List<int[]> training = trainingPath(dir, files);
        for (int i = 0; i < accepted.size(); i++) {
            // One rule decides which images are DCT-scaled: the Java marker walk and the training program's agree.
            boolean python = Files.readString(Path.of(files.get(i) + ".draft")).equals("1");
            assertEquals(GreyJpegDecoder.isGreySequential(corpus.get(accepted.get(i))), python, accepted.get(i));
        }
        for (Map.Entry<String, byte[]> e : scaled.entrySet()) {
            ImageHeader h = ImageHeader.read(e.getValue());
            int s = GreyJpegDecoder.draftScale(h.width(), h.height(), SIZE);
            assertTrue(e.getKey().startsWith("scale" + s + "-"), e.getKey() + " decodes at 1/" + s);
            assertTrue(GreyJpegDecoder.isGreySequential(e.getValue()), e.getKey());
            assertEquals(e.getKey().contains("-rst"), containsMarker(e.getValue(), 0xDD), e.getKey());
        }
        StringBuilder report = new StringBuilder();
        int worst = 0;
        for (int i = 0; i < accepted.size(); i++) {
            int[] java = predictPath(corpus.get(accepted.get(i)), DEFAULT_OVERSAMPLE);
            int[] python = training.get(i);
            assertEquals(java.length, python.length, accepted.get(i));
            int max = 0;
            for (int j = 0; j < java.length; j++) {
                max = Math.max(max, Math.abs(java[j] - python[j]));
            }
            worst = Math.max(worst, max);
            report.append(accepted.get(i)).append(": max ").append(max).append("; ");
        }
        System.out.println("decode parity, predict (oversample " + DEFAULT_OVERSAMPLE + ") vs training: " + report);
        assertTrue(worst <= 1, "grey levels differ by more than 1: " + report);
    }

    static boolean containsMarker(byte[] jpeg, int marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == marker) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aCmykJpegIsRejectedWithAReason() {
        byte[] cmyk = ImageCorpus.all().get("cmyk.jpg");
        ImageHeaders.Result r = ImageHeaders.parse(cmyk, cmyk.length);
        assertEquals(ImageHeaders.unsupportedFormat("JPEG CMYK"), r.rejection());
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageHeader.read(cmyk));
        assertTrue(e.getMessage().contains("CMYK"), e.getMessage());
    }
}
