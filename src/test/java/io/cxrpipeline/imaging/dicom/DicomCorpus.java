package io.cxrpipeline.imaging.dicom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import io.cxrpipeline.ingest.TestImages;

/**
 * DICOM files written by independent toolkits (dcmtk and GDCM, Debian's {@code dcmtk} and {@code libgdcm-tools}):
 * {@code src/test/resources/dicom/corpus.sh} turns two PGM radiograph stand-ins and a JPEG into explicit and implicit
 * VR files, 8 and 12 bits, signed, MONOCHROME1, windowed, with nested sequences, and into the syntaxes and modalities
 * that are refused. Tests skip where the tools are not installed (.ci/run installs them).
 */
public final class DicomCorpus {

    public static final int WIDTH = 320;
    public static final int HEIGHT = 256;

    private DicomCorpus() {
    }

    /** Skips the calling test when dcmtk or GDCM is missing. */
    public static void assumeToolkits() {
        for (String tool : new String[] {"dcmdump", "dcmodify", "dcmconv", "img2dcm", "gdcmimg", "gdcmconv", "gdcmraw"}) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin", tool)),
                    tool + " is not installed (apt-get install dcmtk libgdcm-tools)");
        }
    }

    /** Builds the corpus in {@code dir}: file name → path. */
    public static Map<String, Path> build(Path dir) throws IOException, InterruptedException {
        assumeToolkits();
        Files.write(dir.resolve("a8.pgm"), pgm(255));
        Files.write(dir.resolve("a16.pgm"), pgm(4095));
        Files.write(dir.resolve("gray.jpg"), TestImages.jpeg(40, 30, 1));
        Path script = Path.of("src/test/resources/dicom/corpus.sh").toAbsolutePath();
        String out = run(dir, "bash", script.toString(), dir.toString());
        Map<String, Path> files = new TreeMap<>();
        try (var list = Files.list(dir)) {
            list.filter(p -> p.toString().endsWith(".dcm")).forEach(p -> files.put(p.getFileName().toString(), p));
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("corpus.sh wrote no file: " + out);
        }
        return files;
    }

    /** A radiograph-like gradient with a bright disc and fine stripes, {@code maxval} 255 or 4095. */
    static byte[] pgm(int maxval) {
        StringBuilder header = new StringBuilder("P5\n" + WIDTH + " " + HEIGHT + "\n" + maxval + "\n");
        int bytes = maxval > 255 ? 2 : 1;
        byte[] px = new byte[WIDTH * HEIGHT * bytes];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                double v = 0.15 + 0.6 * x / WIDTH + 0.2 * Math.sin(y / 9.0);
                double dx = x - WIDTH * 0.4;
                double dy = y - HEIGHT * 0.5;
                if (dx * dx + dy * dy < 50 * 50) {
                    v += 0.3;
                }
                if ((x / 3) % 7 == 0) {
                    v -= 0.1;
                }
                int s = (int) Math.round(Math.max(0, Math.min(1, v)) * maxval);
                int i = (y * WIDTH + x) * bytes;
                if (bytes == 2) {
                    px[i] = (byte) (s >> 8); // PGM is big-endian
                    px[i + 1] = (byte) s;
                } else {
                    px[i] = (byte) s;
                }
            }
        }
        byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + px.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(px, 0, out, h.length, px.length);
        return out;
    }

    /** Runs a command in {@code dir}; its output, or an exception naming it when it fails. */
    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
