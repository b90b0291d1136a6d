package io.cxrpipeline.bench;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import io.cxrpipeline.imaging.jpeg.GreyJpegDecoder;
import io.cxrpipeline.inference.ImageHeader;
import io.cxrpipeline.inference.ImagePreprocessor;
import io.cxrpipeline.inference.Preprocessing;

/**
 * Decode + preprocess of a grey X-ray JPEG to the model input, predict's Java path against Pillow with
 * {@code draft} (libjpeg-turbo's DCT scaling) on the same file, measured alternately round by round in one run:
 * Java in this JVM, Pillow in a persistent {@code /usr/bin/python3} child (src/test/python/pil_decode_worker.py).
 * Also the former ImageIO path (source-subsampled decode, oversample 3, same resize and normalisation), the Java
 * decode alone, its entropy decoding alone (1/8: only DC coefficients reach the IDCT), and the grey-level
 * difference between Java's 224 x 224 image and Pillow's.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cxrpipeline.bench.DecodeBenchmark
 * </pre>
 *
 * System properties: {@code bench.files} (comma-separated; default target/models/xray-2000x1500.jpg, made with
 * make_test_models' generator when missing, and src/test/resources/models/xray-gray.jpg, 1024x800),
 * {@code bench.rounds} (40), {@code bench.iters} (10 per side and round), {@code bench.python} (/usr/bin/python3).
 */
public final class DecodeBenchmark {

    private static final int SIZE = 224;
    private static final Preprocessing VGG16 = new Preprocessing(SIZE, 3, Preprocessing.Layout.NCHW, 1f / 255,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, List.of("NORMAL", "PNEUMONIA"),
            0.5, Preprocessing.Resize.STRETCH, Preprocessing.Output.LOGITS);
    private static final Preprocessing GREY_LEVELS = new Preprocessing(SIZE, 1, Preprocessing.Layout.NCHW, 1f,
            new float[] {0f}, new float[] {1f}, List.of("NORMAL", "PNEUMONIA"), 0.5, Preprocessing.Resize.STRETCH,
            Preprocessing.Output.LOGITS);

    private DecodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String python = System.getProperty("bench.python", "/usr/bin/python3");
        int rounds = Integer.getInteger("bench.rounds", 40);
        int iters = Integer.getInteger("bench.iters", 10);
        List<Path> files = new ArrayList<>();
        String list = System.getProperty("bench.files");
        if (list == null) {
            Path big = Path.of("target/models/xray-2000x1500.jpg");
            if (!Files.exists(big)) {
                Files.createDirectories(big.getParent());
                run(python, "src/test/python/pil_decode_worker.py", "make", big.toString(), "2000", "1500", "7");
            }
            files.add(big);
            files.add(Path.of("src/test/resources/models/xray-gray.jpg"));
        } else {
            Arrays.stream(list.split(",")).map(Path::of).forEach(files::add);
        }
        System.out.printf("load average %s; %d rounds x %d iterations per side%n", loadAverage(), rounds, iters);
        for (Path f : files) {
            bench(python, f, rounds, iters);
        }
        System.out.printf("load average %s%n", loadAverage());
    }

    static void bench(String python, Path file, int rounds, int iters) throws Exception {
        byte[] jpeg = Files.readAllBytes(file);
        ImageHeader h = ImageHeader.read(jpeg);
        int scale = GreyJpegDecoder.draftScale(h.width(), h.height(), SIZE);
        ImagePreprocessor pre = new ImagePreprocessor(3);
        FloatBuffer input = FloatBuffer.allocate(VGG16.tensorSize());
        Process worker = new ProcessBuilder(python, "src/test/python/pil_decode_worker.py", file.toString(),
                Integer.toString(SIZE)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (Writer toWorker = new OutputStreamWriter(worker.getOutputStream(), StandardCharsets.UTF_8);
                BufferedReader fromWorker = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                        StandardCharsets.UTF_8))) {
            // Warm-up: the JIT here, Pillow's imports and caches there.
            for (int i = 0; i < 300; i++) {
                pre.write(pre.decode(jpeg, h, VGG16), h.width(), h.height(), VGG16, input, 0);
                oldPath(jpeg, h, pre, input);
                GreyJpegDecoder.decode(jpeg, 8);
            }
            ask(toWorker, fromWorker, "run 20");
            double[] java = new double[rounds * iters];
            double[] pillow = new double[rounds * iters];
            double[] decodeOnly = new double[rounds * iters];
            double[] entropyOnly = new double[rounds * iters];
            double[] imageIo = new double[rounds * iters];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < iters; i++) {
                    long t0 = System.nanoTime();
                    ImagePreprocessor.Planes planes = pre.decode(jpeg, h, VGG16);
                    long t1 = System.nanoTime();
                    pre.write(planes, h.width(), h.height(), VGG16, input, 0);
                    long t2 = System.nanoTime();
                    java[r * iters + i] = (t2 - t0) / 1e6;
                    decodeOnly[r * iters + i] = (t1 - t0) / 1e6;
                }
                String[] times = ask(toWorker, fromWorker, "run " + iters).trim().split(" ");
                for (int i = 0; i < iters; i++) {
                    pillow[r * iters + i] = Double.parseDouble(times[i]);
                }
                for (int i = 0; i < iters; i++) {
                    long t0 = System.nanoTime();
                    GreyJpegDecoder.decode(jpeg, 8);
                    entropyOnly[r * iters + i] = (System.nanoTime() - t0) / 1e6;
                    t0 = System.nanoTime();
                    oldPath(jpeg, h, pre, input);
                    imageIo[r * iters + i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Path dump = Files.createTempFile("pillow-draft", ".gray");
            ask(toWorker, fromWorker, "dump " + dump);
            byte[] theirs = Files.readAllBytes(dump);
            Files.delete(dump);
            toWorker.write("quit\n");
            toWorker.flush();
            FloatBuffer grey = FloatBuffer.allocate(SIZE * SIZE);
            pre.write(pre.decode(jpeg, h, GREY_LEVELS), h.width(), h.height(), GREY_LEVELS, grey, 0);
            int max = 0;
            long sum = 0;
            for (int i = 0; i < theirs.length; i++) {
                int d = Math.abs(Math.round(grey.get(i)) - (theirs[i] & 0xff));
                max = Math.max(max, d);
                sum += d;
            }
            System.out.printf("%s (%dx%d, %d KB, DCT scale 1/%d -> %dx%d):%n", file.getFileName(), h.width(),
                    h.height(), jpeg.length / 1024, scale, (h.width() + scale - 1) / scale,
                    (h.height() + scale - 1) / scale);
            System.out.printf("  Java decode+preprocess     p50 %6.2f ms  p95 %6.2f ms%n", pct(java, 50), pct(java, 95));
            System.out.printf("  Pillow draft+resize+numpy  p50 %6.2f ms  p95 %6.2f ms%n", pct(pillow, 50),
                    pct(pillow, 95));
            System.out.printf("  ratio Java / Pillow        p50 %6.2f     p95 %6.2f%n", pct(java, 50) / pct(pillow, 50),
                    pct(java, 95) / pct(pillow, 95));
            System.out.printf("  Java decode alone          p50 %6.2f ms; entropy decoding alone (1/8) p50 %.2f ms%n",
                    pct(decodeOnly, 50), pct(entropyOnly, 50));
            System.out.printf("  former ImageIO path        p50 %6.2f ms  p95 %6.2f ms (subsampled decode, oversample 3)%n",
                    pct(imageIo, 50), pct(imageIo, 95));
            System.out.printf("  224x224 grey levels vs Pillow's draft: max |diff| %d, mean %.4f%n", max,
                    (double) sum / theirs.length);
        } finally {
            worker.destroy();
        }
    }

    /** The path grey JPEGs took before DCT scaling: ImageIO with source subsampling (oversample 3), same resize. */
    static void oldPath(byte[] jpeg, ImageHeader h, ImagePreprocessor pre, FloatBuffer input) throws IOException {
        long keep = 3L * SIZE;
        int sx = (int) Math.max(1, h.width() / keep);
        int sy = (int) Math.max(1, h.height() / keep);
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
            reader.setInput(in, true, true);
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceSubsampling(sx, sy, 0, 0);
            BufferedImage image = reader.read(0, param);
            byte[] grey = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            pre.write(new ImagePreprocessor.Planes(image.getWidth(), image.getHeight(), new byte[][] {grey}, sx, sy),
                    h.width(), h.height(), VGG16, input, 0);
        } finally {
            reader.dispose();
        }
    }

    static String ask(Writer out, BufferedReader in, String command) throws IOException {
        out.write(command + "\n");
        out.flush();
        String line = in.readLine();
        if (line == null || line.startsWith("error")) {
            throw new IOException("pil_decode_worker.py answered " + line + " to " + command);
        }
        return line;
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static double pct(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(q / 100.0 * (s.length - 1)))];
    }
}
