package io.cxrpipeline.splits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.DatasetNotFoundException;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.InMemoryImageCatalog;

class SplitServiceTest {

    static final List<String> CLASSES = List.of("NORMAL", "PNEUMONIA");
    static final String DATASET = "chest_xray";
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    /** One split made in memory, with its manifests parsed back. */
    record Run(SplitService.Outcome outcome, InMemoryManifestStore store, JsonNode summary,
            Map<String, List<JsonNode>> rows) {

        String prefix() {
            return SplitService.prefix(DATASET, outcome.split().splitId());
        }
    }

    static Run run(List<ImageRecord> records, SplitParameters p, long shuffle) throws IOException {
        InMemoryManifestStore store = new InMemoryManifestStore(true);
        SplitService service = new SplitService(new InMemoryImageCatalog(records, shuffle), store,
                new InMemorySplitRepository(), "test-bucket", CLASSES, CLOCK);
        SplitService.Outcome outcome = service.create(DATASET, p);
        String prefix = SplitService.prefix(DATASET, outcome.split().splitId());
        Map<String, List<JsonNode>> rows = new HashMap<>();
        for (SplitName s : SplitName.values()) {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : store.text(prefix + s.id() + ".jsonl").split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(MAPPER.readTree(line));
                }
            }
            rows.put(s.id(), lines);
        }
        return new Run(outcome, store, MAPPER.readTree(outcome.split().summary()), rows);
    }

    static Map<String, ImageRecord> bySourceRef(List<ImageRecord> records) {
        Map<String, ImageRecord> m = new HashMap<>();
        for (ImageRecord r : records) {
            m.put("s3://test-bucket/" + r.key(), r);
        }
        return m;
    }

    @Test
    void manySeedsGiveZeroLeakageAndEveryClassWithinOnePointOfItsRatioOnAKermanySizeIndex() throws IOException {
        for (long seed = 1; seed <= 40; seed++) {
            List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, seed);
            Run run = run(records, SplitParameters.defaults(seed), seed);
            Map<String, ImageRecord> bySource = bySourceRef(records);

            // Leakage, recomputed here from the manifests, independently of the summary.
            Map<String, Set<String>> splitsOfPatient = new HashMap<>();
            Map<String, Set<String>> splitsOfContent = new HashMap<>();
            Map<String, Set<String>> splitsOfImage = new HashMap<>();
            Map<String, Map<String, Set<String>>> imagesPerSplitAndClass = new HashMap<>();
            for (SplitName s : SplitName.values()) {
                for (JsonNode row : run.rows().get(s.id())) {
                    ImageRecord r = bySource.get(row.get("source-ref").asText());
                    if (r.patient() != null) {
                        splitsOfPatient.computeIfAbsent(r.patient(), k -> new HashSet<>()).add(s.id());
                    }
                    splitsOfContent.computeIfAbsent(r.contentId(), k -> new HashSet<>()).add(s.id());
                    splitsOfImage.computeIfAbsent(r.imageId(), k -> new HashSet<>()).add(s.id());
                    imagesPerSplitAndClass.computeIfAbsent(s.id(), k -> new HashMap<>())
                            .computeIfAbsent(r.label(), k -> new HashSet<>()).add(r.imageId());
                }
            }
            final long s0 = seed;
            splitsOfPatient.forEach((p, s) -> assertEquals(1, s.size(), "seed " + s0 + ": patient " + p + " in " + s));
            splitsOfContent.forEach((c, s) -> assertEquals(1, s.size(), "seed " + s0 + ": content " + c + " in " + s));
            assertEquals(records.size(), splitsOfImage.size(), "every image is in exactly one split");
            splitsOfImage.forEach((i, s) -> assertEquals(1, s.size(), "seed " + s0 + ": image " + i + " in " + s));

            // Each class's share of each split, and its share within each split.
            Map<String, Long> perClass = new HashMap<>();
            records.forEach(r -> perClass.merge(r.label(), 1L, Long::sum));
            for (SplitName s : SplitName.values()) {
                long inSplit = imagesPerSplitAndClass.get(s.id()).values().stream().mapToLong(Set::size).sum();
                for (String c : CLASSES) {
                    long n = imagesPerSplitAndClass.get(s.id()).get(c).size();
                    double share = (double) n / perClass.get(c);
                    assertTrue(Math.abs(share - SplitParameters.defaults(seed).ratio(s)) <= 0.01,
                            "seed " + seed + ": " + c + " in " + s.id() + " has " + share);
                    double within = (double) n / inSplit;
                    double overall = (double) perClass.get(c) / records.size();
                    assertTrue(Math.abs(within - overall) <= 0.01,
                            "seed " + seed + ": " + c + " is " + within + " of " + s.id() + ", " + overall + " overall");
                }
            }
            JsonNode summary = run.summary();
            assertTrue(summary.at("/leakage/passed").asBoolean(), "seed " + seed);
            assertEquals(0, summary.at("/leakage/patientsInSeveralSplits").asLong());
            assertTrue(summary.at("/ratioDeviation/maxPercentagePoints").asDouble() <= 1.0, "seed " + seed);
        }
    }

    @Test
    void oversamplingUsesEachMinorityImageFloorOrCeilingOfKTimesAndOnlyTrainImages() throws IOException {
        for (long seed = 1; seed <= 10; seed++) {
            List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, seed);
            Run run = run(records, SplitParameters.defaults(seed), 0);
            Map<String, Integer> uses = new HashMap<>();
            Map<String, Long> rowsPerClass = new HashMap<>();
            Set<String> heldOut = new HashSet<>();
            for (String s : List.of("val", "test")) {
                for (JsonNode row : run.rows().get(s)) {
                    heldOut.add(row.get("source-ref").asText());
                    assertEquals(0, row.get("copy").asInt(), "val/test are not resampled by default");
                }
            }
            for (JsonNode row : run.rows().get("train")) {
                String ref = row.get("source-ref").asText();
                assertFalse(heldOut.contains(ref), "a val/test image is in train: " + ref);
                uses.merge(ref, 1, Integer::sum);
                rowsPerClass.merge(row.get("class-name").asText(), 1L, Long::sum);
            }
            long majority = rowsPerClass.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertEquals(majority, rowsPerClass.get("NORMAL"), "train is balanced to the majority");
            assertEquals(majority, rowsPerClass.get("PNEUMONIA"));
            Map<String, ImageRecord> bySource = bySourceRef(records);
            long normals = uses.keySet().stream().filter(r -> bySource.get(r).label().equals("NORMAL")).count();
            double k = (double) majority / normals;
            for (Map.Entry<String, Integer> e : uses.entrySet()) {
                if (bySource.get(e.getKey()).label().equals("NORMAL")) {
                    int u = e.getValue();
                    assertTrue(u == (int) Math.floor(k) || u == (int) Math.ceil(k), "used " + u + " times, k = " + k);
                }
            }
            JsonNode normal = run.summary().at("/splits/train/classes/0");
            assertEquals((int) Math.floor(k), normal.get("minUses").asInt());
            assertEquals((int) Math.ceil(k), normal.get("maxUses").asInt());
        }
    }

    @Test
    void labelConflictsAreInNoSplitAndListedInTheSummaryAndReport() throws IOException {
        List<ImageRecord> records = new ArrayList<>(SyntheticIndex.kermanyLike(DATASET, 800, 3));
        ImageRecord conflict = new ImageRecord(DATASET, "train/NORMAL/both.jpeg", "images/" + DATASET
                + "/train/NORMAL/both.jpeg", "NORMAL", null, "person9999", "train", "JPEG", 10, 10, 1, 8, 100, "c:1",
                ImageStatus.CONFLICT, "label conflict: same content labelled NORMAL, PNEUMONIA", null, null, null, null, null,
                false, null);
        records.add(conflict);
        Run r = run(records, SplitParameters.defaults(3), 0);
        for (List<JsonNode> rows : r.rows().values()) {
            for (JsonNode row : rows) {
                assertFalse(row.get("source-ref").asText().endsWith("/both.jpeg"), "trained on a conflict");
            }
        }
        JsonNode excluded = r.summary().get("excluded");
        assertEquals(1, excluded.get("labelConflicts").asLong());
        assertEquals("train/NORMAL/both.jpeg", excluded.get("images").get(0).get("imageId").asText());
        assertEquals(conflict.reason(), excluded.get("images").get(0).get("reason").asText());
        assertTrue(r.store().text(r.prefix() + "report.html").contains("train/NORMAL/both.jpeg"));
    }

    @Test
    void theSameIndexReadInAnyOrderGivesTheSameIdAndByteIdenticalFiles() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, 7);
        Run a = run(records, SplitParameters.defaults(3), 11);
        Run b = run(records, SplitParameters.defaults(3), 12345);
        assertEquals(a.outcome().split().splitId(), b.outcome().split().splitId());
        assertEquals(a.store().objects().keySet(), b.store().objects().keySet());
        assertEquals(8, a.store().objects().size());
        for (String key : a.store().objects().keySet()) {
            assertArrayEquals(a.store().objects().get(key), b.store().objects().get(key), key);
        }
    }

    @Test
    void repeatingTheRequestReturnsTheExistingSplitWithoutWriting() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, 800, 5);
        InMemoryManifestStore store = new InMemoryManifestStore(true);
        InMemorySplitRepository repository = new InMemorySplitRepository();
        SplitService service = new SplitService(new InMemoryImageCatalog(records, 1), store, repository,
                "test-bucket", CLASSES, CLOCK);
        SplitService.Outcome first = service.create(DATASET, SplitParameters.defaults(1));
        long written = store.bytes();
        SplitService.Outcome second = service.create(DATASET, SplitParameters.defaults(1));
        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(first.split(), second.split());
        assertEquals(written, store.bytes(), "nothing rewritten");
        assertEquals(1, repository.size());
    }

    @Test
    void aChangedIndexOrSeedGivesAnotherSplitId() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, 800, 5);
        String id = run(records, SplitParameters.defaults(1), 0).outcome().split().splitId();
        assertNotEquals(id, run(records, SplitParameters.defaults(2), 0).outcome().split().splitId());
        List<ImageRecord> fewer = new ArrayList<>(records.subList(1, records.size()));
        assertNotEquals(id, run(fewer, SplitParameters.defaults(1), 0).outcome().split().splitId());
        List<ImageRecord> relabelled = new ArrayList<>(records);
        ImageRecord r = relabelled.get(0);
        relabelled.set(0, r.toBuilder().patient("someone-else").build());
        assertNotEquals(id, run(relabelled, SplitParameters.defaults(1), 0).outcome().split().splitId());
    }

    @Test
    void aViewAndPhiFilterKeepsOnlyTheImagesItAdmitsAndGivesItsOwnSplitId() throws IOException {
        List<ImageRecord> records = new ArrayList<>();
        List<ImageRecord> base = SyntheticIndex.kermanyLike(DATASET, 800, 5);
        String[] views = {"PA", "AP", "LL", null};
        for (int i = 0; i < base.size(); i++) {
            records.add(base.get(i).toBuilder().view(views[i % 4]).phi(i % 10 == 0).build());
        }
        SplitParameters all = SplitParameters.defaults(1);
        SplitParameters filtered = new SplitParameters(0.6, 0.2, 0.2, 1, SplitParameters.Stratify.CLASS, true, true,
                SplitParameters.Balance.NONE, SplitParameters.Balance.NONE, null, List.of("PA", "AP"), true);
        Run r = run(records, filtered, 0);
        Map<String, ImageRecord> bySource = bySourceRef(records);
        int rows = 0;
        for (List<JsonNode> split : r.rows().values()) {
            for (JsonNode row : split) {
                ImageRecord image = bySource.get(row.get("source-ref").asText());
                assertTrue(filtered.admits(image.view(), image.phi()), image.toString());
                rows++;
            }
        }
        long admitted = records.stream().filter(x -> filtered.admits(x.view(), x.phi())).count();
        assertEquals(admitted, rows, "every admitted image is in one split");
        assertTrue(admitted > 300 && admitted < 400, "" + admitted);
        assertNotEquals(run(records, all, 0).outcome().split().splitId(), r.outcome().split().splitId());
    }

    @Test
    void aFilterThatAdmitsNothingIsA422() {
        SplitParameters lateral = new SplitParameters(0.6, 0.2, 0.2, 1, SplitParameters.Stratify.CLASS, true, true,
                SplitParameters.Balance.NONE, SplitParameters.Balance.NONE, null, List.of("LL"), false);
        io.cxrpipeline.common.UnprocessableException e = assertThrows(io.cxrpipeline.common.UnprocessableException.class,
                () -> run(SyntheticIndex.kermanyLike(DATASET, 200, 5), lateral, 0));
        assertEquals("views", e.field());
    }

    @Test
    void theSplitIdAndManifestBytesOfAGivenIndexAndParametersAreStableAcrossReleases() throws IOException {
        // A changed id would make every existing split unreachable by repeating its request: change
        // SplitParameters.ALGORITHM instead when the algorithm changes on purpose.
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(image("train/NORMAL/IM-" + i + ".jpeg", "NORMAL", i % 4 == 0 ? null : "n" + (i / 2), "c" + i));
            records.add(image("train/PNEUMONIA/person" + (i / 3) + "_bacteria_" + i + ".jpeg", "PNEUMONIA",
                    "person" + (i / 3), "p" + i));
            records.add(image("test/PNEUMONIA/person" + (100 + i) + "_virus_" + i + ".jpeg", "PNEUMONIA",
                    "person" + (100 + i), i == 7 ? "c3" : "v" + i));
        }
        Run run = run(records, SplitParameters.defaults(42), 0);
        assertEquals("sha256:", run.summary().at("/index/digest").asText().substring(0, 7));
        assertEquals(GOLDEN_ID, run.outcome().split().splitId());
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String name : List.of("train.jsonl", "val.jsonl", "test.jsonl", "train.csv", "val.csv", "test.csv")) {
            sha.update(run.store().objects().get(run.prefix() + name));
        }
        assertEquals(GOLDEN_MANIFESTS, java.util.HexFormat.of().formatHex(sha.digest()));
    }

    private static final String GOLDEN_ID = "fda12d6028c8e3b2";
    // Manifest rows gained their content hash: same split id (same assignment), new bytes.
    private static final String GOLDEN_MANIFESTS = "d8a61e0ae5dbd585fa0003988e8df235ae6ceaba7eab36ff4e18f8884771d88b";

    @Test
    void differentSeedsPutGroupsInDifferentSplits() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, 9);
        Set<String> a = sources(run(records, SplitParameters.defaults(1), 0).rows().get("test"));
        Set<String> b = sources(run(records, SplitParameters.defaults(2), 0).rows().get("test"));
        assertNotEquals(a, b);
    }

    private static Set<String> sources(List<JsonNode> rows) {
        Set<String> s = new HashSet<>();
        rows.forEach(r -> s.add(r.get("source-ref").asText()));
        return s;
    }

    @Test
    void undersamplingKeepsTheMinorityCountPerClassOutOfTrainsOwnImages() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, 4);
        SplitParameters p = new SplitParameters(0.6, 0.2, 0.2, 4, SplitParameters.Stratify.CLASS, true, true,
                SplitParameters.Balance.UNDERSAMPLE, SplitParameters.Balance.NONE, null);
        Run run = run(records, p, 0);
        Map<String, Long> rowsPerClass = new HashMap<>();
        Set<String> distinct = new HashSet<>();
        for (JsonNode row : run.rows().get("train")) {
            rowsPerClass.merge(row.get("class-name").asText(), 1L, Long::sum);
            assertTrue(distinct.add(row.get("source-ref").asText()), "undersampling never repeats an image");
        }
        long normalBefore = run.summary().at("/splits/train/classes/0/before").asLong();
        assertEquals(normalBefore, rowsPerClass.get("NORMAL"));
        assertEquals(normalBefore, rowsPerClass.get("PNEUMONIA"));
        assertEquals("minority", run.summary().at("/parameters/balance/train/target").asText());
    }

    @Test
    void classWeightsLeaveTrainAsItIsAndFollowScikitLearnsBalancedFormula() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, 4);
        SplitParameters p = new SplitParameters(0.6, 0.2, 0.2, 4, SplitParameters.Stratify.CLASS, true, true,
                SplitParameters.Balance.CLASS_WEIGHTS, SplitParameters.Balance.NONE, null);
        Run run = run(records, p, 0);
        long normal = run.summary().at("/splits/train/classes/0/before").asLong();
        long pneumonia = run.summary().at("/splits/train/classes/1/before").asLong();
        assertEquals(normal + pneumonia, run.rows().get("train").size());
        double total = normal + pneumonia;
        assertEquals(total / (2 * normal), run.summary().at("/classWeights/NORMAL").asDouble(), 1e-6);
        assertEquals(total / (2 * pneumonia), run.summary().at("/classWeights/PNEUMONIA").asDouble(), 1e-6);
        assertFalse(run.summary().at("/parameters/balance/train").has("target"));
    }

    @Test
    void anExplicitTargetIsTrainsCountAndScalesToBalancedEvalSplits() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, 4);
        SplitParameters p = new SplitParameters(0.6, 0.2, 0.2, 4, SplitParameters.Stratify.CLASS, true, true,
                SplitParameters.Balance.OVERSAMPLE, SplitParameters.Balance.OVERSAMPLE,
                SplitParameters.Target.count(3000));
        Run run = run(records, p, 0);
        assertEquals(6000, run.rows().get("train").size());
        // PNEUMONIA's val count (~855) is below 1000, NORMAL's (~317) too: both reach 3000 * 0.2 / 0.6.
        assertEquals(2000, run.rows().get("val").size());
        assertEquals(1000, run.summary().at("/splits/val/balancing/targetCount").asLong());
    }

    @Test
    void stratifyingByClassAndSubtypeKeepsEachSubtypeWithinOnePoint() throws IOException {
        for (long seed = 1; seed <= 10; seed++) {
            List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, seed);
            SplitParameters p = new SplitParameters(0.6, 0.2, 0.2, seed, SplitParameters.Stratify.CLASS_SUBTYPE, true,
                    true, SplitParameters.Balance.NONE, SplitParameters.Balance.NONE, null);
            Run run = run(records, p, 0);
            Map<String, Long> total = new HashMap<>();
            records.forEach(r -> total.merge(r.label() + "/" + r.subtype(), 1L, Long::sum));
            for (SplitName s : SplitName.values()) {
                Map<String, Long> n = new HashMap<>();
                run.rows().get(s.id()).forEach(r -> n.merge(r.get("class-name").asText() + "/"
                        + (r.get("subtype").isNull() ? "null" : r.get("subtype").asText()), 1L, Long::sum));
                for (Map.Entry<String, Long> e : total.entrySet()) {
                    double share = (double) n.getOrDefault(e.getKey(), 0L) / e.getValue();
                    assertTrue(Math.abs(share - p.ratio(s)) <= 0.01,
                            "seed " + seed + ": " + e.getKey() + " in " + s.id() + " has " + share);
                }
            }
        }
    }

    @Test
    void imagesSharingContentStayTogetherEvenAcrossPatientsAndClasses() throws IOException {
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            records.add(image("train/NORMAL/n" + i + ".jpeg", "NORMAL", "n" + i, "c-n" + i));
            records.add(image("train/PNEUMONIA/p" + i + ".jpeg", "PNEUMONIA", "p" + i, "c-p" + i));
        }
        // n0 and p0 are the same bytes; p0 and p1 are the same patient: all three form one group.
        records.set(1, image("train/PNEUMONIA/p0.jpeg", "PNEUMONIA", "p0", "c-n0"));
        records.set(3, image("train/PNEUMONIA/p1.jpeg", "PNEUMONIA", "p0", "c-p1"));
        Run run = run(records, SplitParameters.defaults(1), 0);
        Set<String> splitsOfGroup = new HashSet<>();
        for (SplitName s : SplitName.values()) {
            for (JsonNode row : run.rows().get(s.id())) {
                String ref = row.get("source-ref").asText();
                if (ref.endsWith("/n0.jpeg") || ref.endsWith("/p0.jpeg") || ref.endsWith("/p1.jpeg")) {
                    splitsOfGroup.add(s.id());
                }
            }
        }
        assertEquals(1, splitsOfGroup.size());
        assertTrue(run.summary().at("/leakage/passed").asBoolean());
    }

    @Test
    void aClassWithTooFewGroupsIsRefusedNamingTheClassAndItsGroupCount() {
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            records.add(image("PNEUMONIA/p" + i + ".jpeg", "PNEUMONIA", "p" + i, "c-p" + i));
            // 50 NORMAL images of only 2 patients.
            records.add(image("NORMAL/n" + i + ".jpeg", "NORMAL", "n" + (i % 2), "c-n" + i));
        }
        InsufficientGroupsException e = assertThrows(InsufficientGroupsException.class,
                () -> run(records, SplitParameters.defaults(1), 0));
        assertEquals("NORMAL", e.label());
        assertEquals(2, e.groups());
        assertTrue(e.getMessage().contains("class NORMAL has 2 groups"), e.getMessage());
    }

    @Test
    void everyClassReachesEverySplitEvenWithSkewedRatiosAndFewGroups() throws IOException {
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(image("PNEUMONIA/p" + i + ".jpeg", "PNEUMONIA", "p" + i, "c-p" + i));
        }
        for (int i = 0; i < 3; i++) {
            records.add(image("NORMAL/n" + i + ".jpeg", "NORMAL", "n" + i, "c-n" + i));
        }
        SplitParameters p = new SplitParameters(0.9, 0.05, 0.05, 1, SplitParameters.Stratify.CLASS, true, true,
                SplitParameters.Balance.NONE, SplitParameters.Balance.NONE, null);
        Run run = run(records, p, 0);
        for (SplitName s : SplitName.values()) {
            assertTrue(run.rows().get(s.id()).stream().anyMatch(r -> r.get("class-name").asText().equals("NORMAL")),
                    "NORMAL in " + s.id());
        }
    }

    @Test
    void anImageSeenInTwoClassPartitionsIsSplitOnce() throws IOException {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, 600, 2);
        ImageRecord r = records.get(0);
        records.add(ImageRecord.indexed(r.dataset(), r.imageId()).key(r.key()).label("NORMAL").patient(r.patient())
                .originalSplit(r.originalSplit()).format(r.format()).contentId(r.contentId()).build());
        Run run = run(records, new SplitParameters(0.6, 0.2, 0.2, 1, SplitParameters.Stratify.CLASS, false, false,
                SplitParameters.Balance.NONE, SplitParameters.Balance.NONE, null), 0);
        long rows = run.rows().values().stream().mapToLong(List::size).sum();
        assertEquals(600, rows);
        assertEquals(0, run.summary().at("/leakage/imagesInSeveralSplits").asLong());
    }

    @Test
    void anEmptyDatasetIsNotFound() {
        assertThrows(DatasetNotFoundException.class, () -> run(List.of(), SplitParameters.defaults(1), 0));
    }

    @Test
    void manifestsFollowTheAugmentedManifestAndCsvContracts() throws IOException {
        List<ImageRecord> records = new ArrayList<>(SyntheticIndex.kermanyLike(DATASET, 300, 3));
        records.add(image("NORMAL/odd, \"name\".jpeg", "NORMAL", null, "c-odd"));
        Run run = run(records, SplitParameters.defaults(1), 0);
        JsonNode any = run.rows().get("train").get(0);
        List<String> fields = new ArrayList<>();
        any.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("source-ref", "class", "class-name", "subtype", "patient", "copy", "content"), fields);
        assertTrue(any.get("class").isTextual());
        String oddContent = String.format("%016x", io.cxrpipeline.common.Hashes.of("c-odd"));
        assertTrue(run.rows().values().stream().flatMap(List::stream).anyMatch(r -> r.get("source-ref").asText()
                .endsWith("/NORMAL/odd, \"name\".jpeg") && r.get("content").asText().equals(oddContent)));
        for (SplitName s : SplitName.values()) {
            String csv = run.store().text(run.prefix() + s.id() + ".csv");
            assertTrue(csv.startsWith(ManifestWriter.CSV_HEADER + "\n"));
            assertEquals(run.rows().get(s.id()).size() + 1, csv.split("\n").length);
        }
        String all = String.join("", run.store().text(run.prefix() + "train.csv"),
                run.store().text(run.prefix() + "val.csv"), run.store().text(run.prefix() + "test.csv"));
        assertTrue(all.contains("\"images/chest_xray/NORMAL/odd, \"\"name\"\".jpeg\",NORMAL,0,,,0,"), all.substring(0, 200));
        assertTrue(all.contains("/NORMAL/odd, \"\"name\"\".jpeg\"," + oddContent + "\n"), all.substring(0, 200));
        String report = run.store().text(run.prefix() + "report.html");
        assertTrue(report.contains("<svg") && !report.contains("<script"));
    }

    static ImageRecord image(String imageId, String label, String patient, String contentId) {
        return image(DATASET, imageId, label, patient, contentId);
    }

    static ImageRecord image(String dataset, String imageId, String label, String patient, String contentId) {
        return ImageRecord.indexed(dataset, imageId).key("images/" + dataset + "/" + imageId).label(label)
                .patient(patient).format("JPEG").width(10).height(10).channels(1).bitDepth(8).sizeBytes(100)
                .contentId(contentId).build();
    }
}
