package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

import io.cxrpipeline.imaging.ImageHeaders;
import io.cxrpipeline.imaging.dicom.DicomCorpus;
import io.cxrpipeline.local.sample.DicomWriter;

/**
 * DICOM pixels are the same in training and serving: every accepted file of a corpus (dcmtk/GDCM-written explicit
 * and implicit VR, 8 and 12 bits, signed, MONOCHROME1/2, windowed or not, plus hand-made LINEAR_EXACT and SIGMOID
 * windows, 16-bit signed, rescaled and width-1 windows) decodes to the same 224 x 224 grey levels, within 1, in
 * predict's Java path ({@code DicomPixels}) and in the training program's {@code cxrtrain.data.decode}, whose
 * pixels come from pydicom.
 */
class DicomDecodeParityTest {

    @TempDir
    Path dir;

    @Test
    void everyAcceptedDicomDecodesAlikeInPredictAndTraining() throws Exception {
        assumePydicom();
        Map<String, byte[]> corpus = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : DicomCorpus.build(dir).entrySet()) {
            corpus.put(e.getKey(), Files.readAllBytes(e.getValue()));
        }
        corpus.putAll(handMade());
        List<String> accepted = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        Path out = Files.createDirectories(dir.resolve("parity"));
        for (Map.Entry<String, byte[]> e : corpus.entrySet()) {
            byte[] b = e.getValue();
            if (ImageHeaders.parse(b, b.length).info() == null) {
                continue;
            }
            accepted.add(e.getKey());
            Path f = out.resolve(e.getKey());
            Files.write(f, b);
            files.add(f);
        }
        assertTrue(accepted.size() >= 18, "accepted: " + accepted);
        List<int[]> training = DecodeParityTest.trainingPath(out, files);
        StringBuilder report = new StringBuilder();
        int worst = 0;
        for (int i = 0; i < accepted.size(); i++) {
            int[] java = DecodeParityTest.predictPath(corpus.get(accepted.get(i)), DecodeParityTest.DEFAULT_OVERSAMPLE);
            int[] python = training.get(i);
            assertEquals(java.length, python.length, accepted.get(i));
            int max = 0;
            long sum = 0;
            for (int j = 0; j < java.length; j++) {
                max = Math.max(max, Math.abs(java[j] - python[j]));
                sum += java[j];
            }
            assertTrue(sum > 0 && sum < 255L * java.length, accepted.get(i) + " is not blank");
            worst = Math.max(worst, max);
            report.append(accepted.get(i)).append(": max ").append(max).append("; ");
        }
        System.out.println("DICOM decode parity, predict vs pydicom training path: " + report);
        assertTrue(worst <= 1, "grey levels differ by more than 1: " + report);
    }

    /** Files the toolkits' corpus lacks: other VOI functions, 16-bit signed, rescaling, a width-1 window. */
    static Map<String, byte[]> handMade() {
        int w = 300;
        int h = 260;
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("linear-exact.dcm", radiograph(w, h, 16, 12, false, "MONOCHROME2", 4095, 0)
                .put(0x00281050, "DS", "1800.5").put(0x00281051, "DS", "2200").put(0x00281056, "CS", "LINEAR_EXACT")
                .toBytes());
        m.put("sigmoid-mono1.dcm", radiograph(w, h, 16, 12, false, "MONOCHROME1", 4095, 0)
                .put(0x00281050, "DS", "2000").put(0x00281051, "DS", "1500").put(0x00281056, "CS", "SIGMOID")
                .toBytes());
        m.put("signed16-rescaled.dcm", radiograph(w, h, 16, 16, true, "MONOCHROME2", 60000, -30000)
                .put(0x00281052, "DS", "-1024").put(0x00281053, "DS", "0.25").toBytes());
        m.put("signed16-window.dcm", radiograph(w, h, 16, 16, true, "MONOCHROME2", 60000, -30000)
                .put(0x00281052, "DS", "100").put(0x00281053, "DS", "2").put(0x00281050, "DS", "-500\\0")
                .put(0x00281051, "DS", "30000\\1").toBytes());
        m.put("width-one.dcm", radiograph(w, h, 16, 10, false, "MONOCHROME2", 1023, 0)
                .put(0x00281050, "DS", "512").put(0x00281051, "DS", "1").toBytes());
        m.put("implicit8-mono1.dcm", radiographIn(DicomWriter.IMPLICIT_VR_LE, w, h, 8, 8, false, "MONOCHROME1", 255, 0)
                .toBytes());
        m.put("implicit-odd-size.dcm", radiographIn(DicomWriter.IMPLICIT_VR_LE, 227, 191, 16, 14, false, "MONOCHROME2",
                16383, 0).toBytes());
        return m;
    }

    private static DicomWriter radiograph(int w, int h, int allocated, int stored, boolean signed, String photometric,
            int range, int offset) {
        return radiographIn(DicomWriter.EXPLICIT_VR_LE, w, h, allocated, stored, signed, photometric, range, offset);
    }

    /** A chest-like pattern spanning {@code offset .. offset + range} in stored values. */
    private static DicomWriter radiographIn(String syntax, int w, int h, int allocated, int stored, boolean signed,
            String photometric, int range, int offset) {
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = 0.5 + 0.35 * Math.sin(x / 17.0) * Math.cos(y / 23.0) + 0.1 * ((x * 7 + y * 13) % 11) / 11.0;
                double dx = x - w / 2.0;
                double dy = y - h / 2.0;
                if (dx * dx / (w * w / 9.0) + dy * dy / (h * h / 4.0) < 1) {
                    v -= 0.3;
                }
                px[y * w + x] = offset + (int) Math.round(Math.max(0, Math.min(1, v)) * range);
            }
        }
        return DicomWriter.radiograph(syntax, w, h, px, allocated, stored, signed, photometric)
                .put(0x00185101, "CS", "PA");
    }

    static void assumePydicom() throws Exception {
        Path python = Path.of(DecodeParityTest.PYTHON);
        Assumptions.assumeTrue(Files.isExecutable(python), python + " is not installed");
        Process p = new ProcessBuilder(python.toString(), "-c", "import pydicom, numpy, PIL").redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Assumptions.assumeTrue(p.exitValue() == 0, "pydicom, numpy or Pillow missing (apt-get install python3-pydicom): "
                + out);
    }
}
