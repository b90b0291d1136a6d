package io.cxrpipeline.local.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxrpipeline.ingest.KeyRules;

class SampleDataTest {

    private static final Pattern PNEUMONIA = Pattern.compile("person\\d+_(bacteria|virus)_\\d+\\.jpeg");
    private static final Pattern NORMAL = Pattern.compile("(NORMAL2-)?IM-\\d{4}-\\d{4}\\.jpeg");

    private static SampleData.Options options(Path out, int count, long seed, int min, int max) {
        return SampleData.parse(new String[] {"--out", out.toString(), "--count", Integer.toString(count), "--seed",
                Long.toString(seed), "--min-size", Integer.toString(min), "--max-size", Integer.toString(max),
                "--threads", "2"});
    }

    @Test
    void planFollowsTheKaggleLayoutNamesAndImbalance() {
        List<SampleData.Planned> plan = SampleData.plan(options(Path.of("x"), 400, 7, 1000, 2500));
        assertEquals(400, plan.size());
        assertEquals(400, plan.stream().map(SampleData.Planned::path).distinct().count(), "unique names");
        long normal = plan.stream().filter(p -> p.label().equals("NORMAL")).count();
        assertEquals(108, normal); // 27 %: about one NORMAL to three PNEUMONIA
        for (SampleData.Planned p : plan) {
            String[] parts = p.path().split("/");
            assertEquals(3, parts.length, p.path());
            assertTrue(Set.of("train", "val", "test").contains(parts[0]), p.path());
            assertEquals(p.label(), parts[1]);
            assertTrue((p.label().equals("NORMAL") ? NORMAL : PNEUMONIA).matcher(parts[2]).matches(), p.path());
            assertTrue(p.width() >= 1000 && p.width() <= 2500 && p.height() >= 1000 && p.height() <= 2500, p.path());
        }
        for (String label : List.of("NORMAL", "PNEUMONIA")) {
            assertTrue(plan.stream().anyMatch(p -> p.label().equals(label) && p.split().equals("val")), label);
        }
        Map<String, Long> perPatient = plan.stream().filter(p -> p.label().equals("PNEUMONIA"))
                .collect(Collectors.groupingBy(p -> p.path().replaceAll(".*/(person\\d+)_.*", "$1"),
                        Collectors.counting()));
        assertTrue(perPatient.values().stream().anyMatch(n -> n >= 3), "several images per patient");
        assertTrue(plan.stream().anyMatch(p -> "virus".equals(p.subtype())));
        assertTrue(plan.stream().anyMatch(p -> "bacteria".equals(p.subtype())));
    }

    @Test
    void namesYieldTheFactsTheIndexDerives() {
        KeyRules rules = KeyRules.defaults();
        for (SampleData.Planned p : SampleData.plan(options(Path.of("x"), 60, 3, 1000, 2500))) {
            KeyRules.Facts f = rules.derive(p.path(), Map.of());
            assertEquals(p.label(), f.label(), p.path());
            assertEquals(p.split(), f.originalSplit(), p.path());
            assertEquals(p.subtype(), f.subtype(), p.path());
            assertEquals(p.label().equals("PNEUMONIA"), f.patient() != null, p.path());
        }
    }

    @Test
    void sameSeedWritesTheSameBytesAndTheImagesDecode(@TempDir Path a, @TempDir Path b) throws Exception {
        SampleData.Options oa = options(a, 10, 11, 64, 96);
        SampleData.write(oa, SampleData.plan(oa));
        SampleData.Options ob = options(b, 10, 11, 64, 96);
        SampleData.write(ob, SampleData.plan(ob));
        for (SampleData.Planned p : SampleData.plan(oa)) {
            byte[] x = Files.readAllBytes(a.resolve("chest_xray").resolve(p.path()));
            assertArrayEquals(x, Files.readAllBytes(b.resolve("chest_xray").resolve(p.path())), p.path());
            BufferedImage img = ImageIO.read(a.resolve("chest_xray").resolve(p.path()).toFile());
            assertEquals(p.width(), img.getWidth());
            assertEquals(p.height(), img.getHeight());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
        }
    }

    @Test
    void dicomPatientsGetRealisticHeadersThatIngestAccepts(@TempDir Path dir) throws Exception {
        SampleData.Options o = SampleData.parse(new String[] {"--out", dir.toString(), "--count", "80", "--seed", "3",
                "--min-size", "64", "--max-size", "1500", "--threads", "2", "--dicom-fraction", "0.6"});
        List<SampleData.Planned> plan = SampleData.plan(o);
        SampleData.Options jpegOnly = SampleData.parse(new String[] {"--count", "80", "--seed", "3", "--min-size", "64",
                "--max-size", "1500"});
        assertEquals(SampleData.plan(jpegOnly).stream().map(SampleData.Planned::label).toList(),
                plan.stream().map(SampleData.Planned::label).toList(), "the same images, some as DICOM");
        SampleData.write(o, plan);
        Map<String, java.util.Set<String>> studiesByPatient = new java.util.HashMap<>();
        java.util.Set<String> photometrics = new java.util.HashSet<>();
        java.util.Set<String> sops = new java.util.HashSet<>();
        int phi = 0;
        int dicom = 0;
        for (SampleData.Planned p : plan) {
            byte[] b = Files.readAllBytes(dir.resolve("chest_xray").resolve(p.path()));
            io.cxrpipeline.imaging.ImageHeaders.Result r = io.cxrpipeline.imaging.ImageHeaders.parse(b, b.length);
            assertTrue(r.info() != null, p.path() + ": " + r.rejection());
            if (p.dicom() == null) {
                assertTrue(p.path().endsWith(".jpeg"), p.path());
                continue;
            }
            dicom++;
            assertTrue(p.path().endsWith(".dcm"), p.path());
            assertTrue(Math.max(p.width(), p.height()) <= SampleData.DICOM_MAX_SIDE);
            io.cxrpipeline.imaging.dicom.DicomHeader h = r.info().dicom();
            assertEquals(p.width(), h.columns());
            assertEquals(12, h.bitsStored());
            assertEquals(p.dicom().patientId(), h.patientId());
            assertTrue(sops.add(h.sopInstanceUid()), "unique SOP instances");
            assertTrue(h.sopInstanceUid().length() <= 64 && h.studyInstanceUid().length() <= 64);
            studiesByPatient.computeIfAbsent(h.patientId(), k -> new java.util.HashSet<>()).add(h.studyInstanceUid());
            photometrics.add(h.photometric());
            phi += h.phi() ? 1 : 0;
            byte[] grey = io.cxrpipeline.imaging.dicom.DicomPixels.grey(b, h);
            assertEquals(p.width() * p.height(), grey.length);
        }
        assertTrue(dicom >= 20 && dicom < plan.size(), "DICOM " + dicom + " of " + plan.size());
        assertTrue(studiesByPatient.values().stream().anyMatch(s -> s.size() >= 2), "several studies per patient");
        assertEquals(java.util.Set.of("MONOCHROME1", "MONOCHROME2"), photometrics);
        assertTrue(phi > 0 && phi < dicom, "a few with PHI: " + phi);
    }

    @Test
    void pneumoniaBrightensTheLungFields() {
        // The learnable signal: on average the lung fields of PNEUMONIA images are brighter than NORMAL ones.
        double normal = 0;
        double bacterial = 0;
        double viral = 0;
        for (long seed = 0; seed < 12; seed++) {
            normal += lungMean(SyntheticXray.render(300, 280, SyntheticXray.Finding.NONE, seed), 300, 280);
            bacterial += lungMean(SyntheticXray.render(300, 280, SyntheticXray.Finding.BACTERIAL, seed), 300, 280);
            viral += lungMean(SyntheticXray.render(300, 280, SyntheticXray.Finding.VIRAL, seed), 300, 280);
        }
        assertTrue(bacterial > normal * 1.03, bacterial + " vs " + normal);
        assertTrue(viral > normal * 1.03, viral + " vs " + normal);
    }

    /** Mean over two boxes inside the lung fields. */
    private static double lungMean(byte[] px, int w, int h) {
        long sum = 0;
        int n = 0;
        for (int y = (int) (h * 0.35); y < h * 0.65; y++) {
            for (int x : new int[] {(int) (w * 0.3), (int) (w * 0.7)}) {
                for (int dx = -w / 12; dx < w / 12; dx++) {
                    sum += px[y * w + x + dx] & 0xFF;
                    n++;
                }
            }
        }
        return (double) sum / n;
    }
}
