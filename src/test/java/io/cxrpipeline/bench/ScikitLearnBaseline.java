package io.cxrpipeline.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.splits.SyntheticIndex;

/**
 * The scikit-learn + imbalanced-learn baseline of the split benchmarks: the records of a synthetic index written to
 * CSV and split by {@code src/test/python/split_baseline.py} in Debian's {@code /usr/bin/python3} (needs
 * {@code python3-sklearn} and {@code python3-imblearn}).
 */
final class ScikitLearnBaseline {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ScikitLearnBaseline() {
    }

    /** Writes the records of {@link SyntheticIndex#forEach} as {@code imageId,label,subtype,patient,contentId}. */
    static Path writeRecords(Path csv, String dataset, int images, long seed) throws IOException {
        Files.createDirectories(csv.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("imageId,label,subtype,patient,contentId\n");
            IOException[] failure = {null};
            SyntheticIndex.forEach(dataset, images, seed, r -> {
                try {
                    w.write(line(r));
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
        }
        return csv;
    }

    /**
     * Runs the baseline on a CSV of {@link #writeRecords}: one JSON object with, per method
     * ({@code StratifiedGroupKFold}, {@code GroupShuffleSplit}), {@code splitSeconds}, {@code oversampleSeconds},
     * the leakage counts and the largest ratio deviation.
     *
     * @throws IllegalStateException when the script fails or runs over 10 minutes, with what it printed
     */
    static JsonNode run(Path csv, long seed) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/python3", "src/test/python/split_baseline.py", csv.toString(),
                Long.toString(seed)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("scikit-learn failed: " + out);
        }
        return MAPPER.readTree(out);
    }

    private static String line(ImageRecord r) {
        return String.join(",", r.imageId(), r.label(), nz(r.subtype()), nz(r.patient()), nz(r.contentId())) + "\n";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
