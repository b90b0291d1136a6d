package io.cxrpipeline.local.sample;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import io.cxrpipeline.local.sample.SyntheticXray.Finding;

/**
 * Writes a synthetic chest X-ray dataset in the Kaggle {@code chest_xray} layout:
 * {@code <out>/<dataset>/{train,val,test}/{NORMAL,PNEUMONIA}/}, with Kermany-style names
 * ({@code personN_bacteria_M.jpeg}, {@code personN_virus_M.jpeg}, {@code IM-XXXX-YYYY.jpeg},
 * {@code NORMAL2-IM-XXXX-0001.jpeg}), several images per patient, about one NORMAL to three PNEUMONIA, and a
 * tiny val split as in the original; with {@code --dicom-fraction}, some patients' images are DICOM radiographs
 * ({@code .dcm}) with realistic headers. Deterministic for a seed.
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=io.cxrpipeline.local.sample.SampleData \
 *     -Dexec.args="--out sample-data --count 300 --seed 42"
 * </pre>
 */
public final class SampleData {

    /** The command's options; see {@link #usage()}. */
    public record Options(Path out, String dataset, int count, long seed, int minSize, int maxSize, int quality,
            double normalFraction, int threads, double dicomFraction) {
    }

    /**
     * One image to write: its path below the dataset folder, its size, what it shows and its own seed; {@code dicom}
     * says how to write it as DICOM, null for a JPEG.
     */
    public record Planned(String path, String split, String label, String subtype, int width, int height, Finding finding,
            long seed, Dicom dicom) {
    }

    /**
     * The header of a synthetic DICOM radiograph. A patient's images share {@code patientId}; two consecutive images
     * of a patient share a study.
     *
     * @param phi       whether the header names the patient (PatientName, PatientBirthDate)
     * @param burnedIn  whether BurnedInAnnotation is YES
     */
    public record Dicom(String patientId, String studyUid, String seriesUid, String sopUid, String photometric,
            String view, boolean implicit, boolean phi, boolean burnedIn) {
    }

    /** Largest side of a DICOM sample image: 12 bits in 16 make them twice a grey PNG's raw size. */
    public static final int DICOM_MAX_SIDE = 1024;

    private SampleData() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        long start = System.nanoTime();
        List<Planned> plan = plan(o);
        long bytes = write(o, plan);
        double seconds = (System.nanoTime() - start) / 1e9;
        Path root = o.out().resolve(o.dataset());
        System.out.printf(Locale.ROOT, "wrote %d images (%.1f MB) to %s in %.1f s%n", plan.size(), bytes / 1e6, root,
                seconds);
        summary(plan).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-28s %5d%n", k, v));
        System.out.printf("upload: aws --endpoint-url http://127.0.0.1:4566 s3 sync %s s3://cxr-pipeline/images/%s/%n",
                root, o.dataset());
    }

    public static String usage() {
        return """
                usage: SampleData [--out DIR] [--dataset NAME] [--count N] [--seed S] [--min-size PX] [--max-size PX]
                                  [--quality 1-100] [--normal-fraction F] [--threads T]
                  --out              output folder (default sample-data)
                  --dataset          dataset folder name (default chest_xray)
                  --count            images in total (default 300)
                  --seed             random seed; the same seed writes the same bytes (default 42)
                  --min-size/--max-size  image side in pixels (default 1000 and 2500)
                  --quality          JPEG quality (default 85)
                  --normal-fraction  share of NORMAL images (default 0.27, as in Kermany et al.)
                  --threads          encoder threads (default: available processors)
                  --dicom-fraction   share of patients whose images are DICOM (.dcm: DX, 12 bits, MONOCHROME1 or 2,
                                     PA or AP, a few with PHI; at most 1024 px a side) (default 0)""";
    }

    /**
     * Reads {@code --name value} options.
     *
     * @throws IllegalArgumentException on an unknown option or an invalid value
     */
    public static Options parse(String[] args) {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[++i]);
        }
        for (String k : a.keySet()) {
            if (!List.of("out", "dataset", "count", "seed", "min-size", "max-size", "quality", "normal-fraction",
                    "threads", "dicom-fraction").contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k);
            }
        }
        Options o = new Options(Path.of(a.getOrDefault("out", "sample-data")), a.getOrDefault("dataset", "chest_xray"),
                Integer.parseInt(a.getOrDefault("count", "300")), Long.parseLong(a.getOrDefault("seed", "42")),
                Integer.parseInt(a.getOrDefault("min-size", "1000")), Integer.parseInt(a.getOrDefault("max-size", "2500")),
                Integer.parseInt(a.getOrDefault("quality", "85")),
                Double.parseDouble(a.getOrDefault("normal-fraction", "0.27")),
                Integer.parseInt(a.getOrDefault("threads", Integer.toString(Runtime.getRuntime().availableProcessors()))),
                Double.parseDouble(a.getOrDefault("dicom-fraction", "0")));
        if (o.count() < 1 || o.minSize() < 32 || o.maxSize() < o.minSize() || o.quality() < 1 || o.quality() > 100
                || o.normalFraction() < 0 || o.normalFraction() > 1 || o.threads() < 1 || o.dicomFraction() < 0
                || o.dicomFraction() > 1) {
            throw new IllegalArgumentException("invalid option value");
        }
        return o;
    }

    /** Decides every image (names, splits, sizes, findings) from the seed alone. */
    public static List<Planned> plan(Options o) {
        Random r = new Random(o.seed());
        int normals = (int) Math.round(o.count() * o.normalFraction());
        List<Planned> out = new ArrayList<>(o.count());

        int patient = 1 + r.nextInt(20);
        while (out.size() < normals) {
            patient += 1 + r.nextInt(3);
            boolean second = r.nextDouble() < 0.3; // the NORMAL2-IM-XXXX-0001 naming, one image each
            int images = second ? 1 : Math.min(normals - out.size(), imagesPerPatient(r));
            String split = split(r);
            for (int i = 1; i <= images; i++) {
                String name = second ? "NORMAL2-IM-%04d-0001.jpeg".formatted(patient)
                        : "IM-%04d-%04d.jpeg".formatted(patient, i);
                out.add(planned(o, r, leak(r, split, images), "NORMAL", null, name, Finding.NONE));
            }
        }
        int person = 0;
        int counter = 0;
        while (out.size() < o.count()) {
            person += 1 + r.nextInt(2);
            String subtype = r.nextDouble() < 0.65 ? "bacteria" : "virus";
            int images = Math.min(o.count() - out.size(), imagesPerPatient(r));
            String split = split(r);
            for (int i = 0; i < images; i++) {
                counter += 1 + (r.nextInt(4) == 0 ? 1 : 0);
                String name = "person%d_%s_%d.jpeg".formatted(person, subtype, counter);
                out.add(planned(o, r, leak(r, split, images), "PNEUMONIA", subtype, name,
                        subtype.equals("bacteria") ? Finding.BACTERIAL : Finding.VIRAL));
            }
        }
        // The original's val split is tiny but never empty for a class.
        for (String label : List.of("NORMAL", "PNEUMONIA")) {
            boolean hasVal = out.stream().anyMatch(p -> p.label().equals(label) && p.split().equals("val"));
            long ofLabel = out.stream().filter(p -> p.label().equals(label)).count();
            for (String from : List.of("train", "test")) {
                for (int i = 0; i < out.size() && !hasVal && ofLabel > 1; i++) {
                    Planned p = out.get(i);
                    if (p.label().equals(label) && p.split().equals(from)) {
                        out.set(i, moved(p, "val"));
                        hasVal = true;
                    }
                }
            }
        }
        return o.dicomFraction() > 0 ? asDicom(out, o) : out;
    }

    private static final java.util.regex.Pattern PATIENT = java.util.regex.Pattern.compile("(person\\d+|IM-\\d{4})");

    /**
     * Turns a seeded choice of patients' images into DICOM: same names with {@code .dcm}, a PatientID per patient,
     * a study per two images. Its own random stream: the JPEG plan of a seed stays what it was.
     */
    private static List<Planned> asDicom(List<Planned> plan, Options o) {
        Random r = new Random(o.seed() ^ 0x5DC0_1DC0_DC0DL);
        Map<String, Boolean> chosen = new java.util.HashMap<>();
        Map<String, Integer> imagesSoFar = new java.util.HashMap<>();
        Map<String, PatientDicom> patientHeader = new java.util.HashMap<>();
        List<Planned> out = new ArrayList<>(plan.size());
        for (Planned p : plan) {
            String name = p.path().substring(p.path().lastIndexOf('/') + 1);
            java.util.regex.Matcher m = PATIENT.matcher(name);
            String patient = (m.find() ? m.group(1) : name) + "/" + p.label();
            if (!chosen.computeIfAbsent(patient, k -> r.nextDouble() < o.dicomFraction())) {
                out.add(p);
                continue;
            }
            PatientDicom h = patientHeader.computeIfAbsent(patient, k -> new PatientDicom(
                    "SYN" + String.format(Locale.ROOT, "%08d", r.nextInt(100_000_000)),
                    r.nextDouble() < 0.35 ? "MONOCHROME1" : "MONOCHROME2", r.nextBoolean(), r.nextDouble() < 0.15,
                    r.nextDouble() < 0.08, uid(r)));
            int index = imagesSoFar.merge(patient, 1, Integer::sum) - 1;
            String study = h.studyRoot() + "." + (index / 2 + 1);
            Dicom d = new Dicom(h.patientId(), study, study + ".1", uid(r), h.photometric(),
                    r.nextDouble() < 0.7 ? "PA" : "AP", h.implicit(), h.phi(), h.burnedIn());
            double scale = Math.min(1.0, (double) DICOM_MAX_SIDE / Math.max(p.width(), p.height()));
            int w = Math.max(32, (int) (p.width() * scale));
            int hgt = Math.max(32, (int) (p.height() * scale));
            String path = p.path().substring(0, p.path().lastIndexOf('.')) + ".dcm";
            out.add(new Planned(path, p.split(), p.label(), p.subtype(), w, hgt, p.finding(), p.seed(), d));
        }
        return out;
    }

    /** What a patient's DICOM images share: the ID, photometric, VR encoding, PHI and the root of their studies. */
    private record PatientDicom(String patientId, String photometric, boolean implicit, boolean phi, boolean burnedIn,
            String studyRoot) {
    }

    /** A UID under the UUID-derived root 2.25 (PS3.5 B.2): unique without a registered root. */
    private static String uid(Random r) {
        java.math.BigInteger u = new java.math.BigInteger(1, java.nio.ByteBuffer.allocate(16).putLong(r.nextLong())
                .putLong(r.nextLong()).array());
        return "2.25." + u.toString().substring(0, Math.min(u.toString().length(), 38));
    }

    /**
     * A planned DICOM image as a file: 12-bit pixels from the synthetic 8-bit ones, the header of {@code d}, and the
     * window 2048/4096 that maps them back to the drawn grey levels (within 1): a DICOM sample shows what its JPEG
     * twin would, so the learnable signal (absolute brightness of the lung fields) survives.
     */
    public static byte[] dicom(Planned p) {
        Dicom d = p.dicom();
        byte[] grey = SyntheticXray.render(p.width(), p.height(), p.finding(), p.seed());
        int[] px = new int[grey.length];
        for (int i = 0; i < grey.length; i++) {
            int g = grey[i] & 0xFF;
            int v = g * 16 + (g >> 4); // 0..4095
            px[i] = "MONOCHROME1".equals(d.photometric()) ? 4095 - v : v;
        }
        DicomWriter w = DicomWriter.radiograph(d.implicit() ? DicomWriter.IMPLICIT_VR_LE : DicomWriter.EXPLICIT_VR_LE,
                p.width(), p.height(), px, 16, 12, false, d.photometric())
                .put(0x00080018, "UI", d.sopUid())
                .put(0x00080020, "DA", "20240101")
                .put(0x00080068, "CS", "FOR PRESENTATION")
                .put(0x00080070, "LO", "cxr-pipeline synthetic")
                .put(0x00100020, "LO", d.patientId())
                .put(0x00185101, "CS", d.view())
                .put(0x0020000D, "UI", d.studyUid())
                .put(0x0020000E, "UI", d.seriesUid())
                .put(0x00281052, "DS", "0")
                .put(0x00281053, "DS", "1")
                .put(0x00280301, "CS", d.burnedIn() ? "YES" : "NO")
                .put(0x00281050, "DS", "2048")
                .put(0x00281051, "DS", "4096")
                .put(0x00281056, "CS", "LINEAR");
        if (d.phi()) {
            w.put(0x00100010, "PN", "SYNTHETIC^PATIENT").put(0x00100030, "DA", "19600101");
        }
        return w.toBytes();
    }

    private static int imagesPerPatient(Random r) {
        int n = 1;
        while (n < 5 && r.nextDouble() < 0.55) {
            n++;
        }
        return n;
    }

    private static String split(Random r) {
        double u = r.nextDouble();
        return u < 0.85 ? "train" : u < 0.88 ? "val" : "test";
    }

    /** Some patients of the original cross splits; keep a little of that for the split API to fix. */
    private static String leak(Random r, String split, int images) {
        if (images > 1 && r.nextDouble() < 0.08) {
            return split.equals("test") ? "train" : "test";
        }
        return split;
    }

    private static Planned planned(Options o, Random r, String split, String label, String subtype, String name,
            Finding finding) {
        int width = o.minSize() + r.nextInt(o.maxSize() - o.minSize() + 1);
        int height = Math.max(o.minSize(), Math.min(o.maxSize(), (int) (width * (0.72 + r.nextDouble() * 0.36))));
        return new Planned(split + "/" + label + "/" + name, split, label, subtype, width, height, finding, r.nextLong(),
                null);
    }

    private static Planned moved(Planned p, String split) {
        String rest = p.path().substring(p.path().indexOf('/'));
        return new Planned(split + rest, split, p.label(), p.subtype(), p.width(), p.height(), p.finding(), p.seed(),
                p.dicom());
    }

    /** Renders and writes the images in parallel; returns the bytes written. */
    public static long write(Options o, List<Planned> plan) throws Exception {
        Path root = o.out().resolve(o.dataset());
        AtomicLong bytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(o.threads());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Planned p : plan) {
                futures.add(pool.submit(() -> {
                    Path file = root.resolve(p.path());
                    Files.createDirectories(file.getParent());
                    if (p.dicom() != null) {
                        Files.write(file, dicom(p));
                    } else {
                        jpeg(SyntheticXray.image(p.width(), p.height(), p.finding(), p.seed()), o.quality(), file);
                    }
                    bytes.addAndGet(Files.size(file));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return bytes.get();
    }

    private static void jpeg(BufferedImage img, int quality, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            jpeg(img, quality, out);
        }
    }

    /** Encodes a grayscale image as a baseline JPEG of the given quality (1-100). */
    public static void jpeg(BufferedImage img, int quality, OutputStream out) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** Counts per split, class and subtype. */
    public static Map<String, Integer> summary(List<Planned> plan) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Planned p : plan) {
            counts.merge(p.split() + " " + p.label() + (p.subtype() == null ? "" : " " + p.subtype())
                    + (p.dicom() == null ? "" : " DICOM"), 1, Integer::sum);
        }
        return counts;
    }
}
