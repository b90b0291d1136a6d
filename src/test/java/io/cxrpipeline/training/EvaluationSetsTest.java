package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.NotFoundException;

class EvaluationSetsTest {

    private static final String PREFIX = "s3://bkt/manifests/chest_xray/";

    private final ObjectMapper mapper = new ObjectMapper();
    private InMemoryTrainingRuns runs;
    private InMemoryModelVersions registry;
    private Map<String, String> files;
    private EvaluationSets sets;
    private FakeTrainingJobs jobs;
    private TrainingRunService service;

    private static String line(String ref, String patient) {
        return "{\"source-ref\":\"s3://bkt/images/chest_xray/" + ref + "\",\"class\":\"1\",\"class-name\":\"PNEUMONIA\","
                + "\"patient\":\"" + patient + "\",\"copy\":0}\n";
    }

    private static String line(String ref, String patient, String content) {
        return line(ref, patient).replace("}\n", ",\"content\":\"" + content + "\"}\n");
    }

    @BeforeEach
    void setUp() {
        runs = new InMemoryTrainingRuns();
        runs.addSplit("chest_xray", "s1");
        runs.addSplit("chest_xray", "s2");
        registry = new InMemoryModelVersions();
        files = new HashMap<>();
        // s1: a leak-free split; s2 was drawn apart and trains on a patient and an image of s1's test set.
        files.put(PREFIX + "s1/train.jsonl", line("a.png", "person1") + line("b.png", "person2"));
        files.put(PREFIX + "s1/val.jsonl", line("c.png", "person3"));
        files.put(PREFIX + "s1/test.jsonl", line("d.png", "person4") + line("e.png", "person5"));
        files.put(PREFIX + "s2/train.jsonl", line("d.png", "person4") + line("a.png", "person1"));
        files.put(PREFIX + "s2/val.jsonl", line("f.png", "person5"));
        MutableClock clock = new MutableClock("2026-03-01T10:00:00Z");
        sets = new EvaluationSets(runs, registry, uri -> Optional.ofNullable(files.get(uri)), mapper, clock);
        jobs = new FakeTrainingJobs();
        int[] n = {0};
        service = new TrainingRunService(runs, jobs, TestConfigs.training(), "bkt", mapper, clock,
                () -> String.format("%08x", ++n[0]), sets);
    }

    @Test
    void aSubmissionReadsThePinnedEvaluationSetOnceForTheCheckAndTheJob() {
        sets.pin("chest_xray", new EvaluationSetRequest("s1", null));
        runs.evaluationSetReads = 0;

        service.submit(new TrainingRunRequest("chest_xray", "s1", null, null, null, null));

        assertEquals(PREFIX + "s1/test.jsonl", jobs.submitted.get(0).environment().get("CXR_EVAL_MANIFEST"));
        assertEquals(1, runs.evaluationSetReads);
    }

    @Test
    void aSplitsTestManifestIsPinnedAndEveryRunIsEvaluatedOnIt() {
        EvaluationSet set = sets.pin("chest_xray", new EvaluationSetRequest("s1", null));
        assertEquals(PREFIX + "s1/test.jsonl", set.manifestUri());
        assertEquals(2, set.images());
        assertEquals(Optional.of(set), sets.find("chest_xray"));

        TrainingRun run = service.submit(new TrainingRunRequest("chest_xray", "s1", null, null, null, null)).run();
        Map<String, String> env = jobs.submitted.get(0).environment();
        assertEquals(PREFIX + "s1/test.jsonl", env.get("CXR_EVAL_MANIFEST"));
        assertFalse(env.containsKey("CXR_CHAMPION_OUTPUT"), "no promoted model yet");

        registry.promoted = new PromotedModel("v1", "s3://bkt/training-runs/r0/model.onnx", "t", "r0", "roc_auc", 0.9,
                null);
        assertEquals("s3://bkt/training-runs/r0/", sets.environment("chest_xray").get("CXR_CHAMPION_OUTPUT"));
        assertEquals("v1", sets.environment("chest_xray").get("CXR_CHAMPION_VERSION"));
        assertEquals(RunStatus.SUBMITTED, run.status());
    }

    @Test
    void trainingDataThatOverlapTheEvaluationManifestAreRefusedNamingTheOverlap() {
        sets.pin("chest_xray", new EvaluationSetRequest("s1", null));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> service.submit(
                new TrainingRunRequest("chest_xray", "s2", null, null, null, null)));
        assertEquals("splitId", e.field());
        assertEquals("split 's2' overlaps the evaluation manifest " + PREFIX + "s1/test.jsonl of dataset 'chest_xray': "
                + "1 train image(s) (e.g. s3://bkt/images/chest_xray/d.png), 1 train patient(s) (e.g. person4), "
                + "1 val patient(s) (e.g. person5); a model trained on evaluation images cannot be evaluated on them",
                e.getMessage());
        assertTrue(runs.runs.isEmpty(), "no run is recorded");
        assertTrue(jobs.submitted.isEmpty());
    }

    @Test
    void theSameContentUnderAnotherNameIsAnOverlapToo() {
        // s3's train holds g.png, the bytes of s1's test image e.png uploaded again under another name (another
        // patient id in its key): only the manifests' content hash links them.
        runs.addSplit("chest_xray", "s3");
        files.put(PREFIX + "s1/test.jsonl", line("d.png", "person4", "00000000000000d4")
                + line("e.png", "person5", "00000000000000e5"));
        files.put(PREFIX + "s3/train.jsonl", line("g.png", "person7", "00000000000000e5"));
        files.put(PREFIX + "s3/val.jsonl", line("h.png", "person8", "0000000000000088"));
        sets.pin("chest_xray", new EvaluationSetRequest("s1", null));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> service.submit(
                new TrainingRunRequest("chest_xray", "s3", null, null, null, null)));
        assertEquals("splitId", e.field());
        assertEquals("split 's3' overlaps the evaluation manifest " + PREFIX + "s1/test.jsonl of dataset 'chest_xray': "
                + "1 train image(s) with the content of an evaluation image (e.g. s3://bkt/images/chest_xray/g.png = "
                + "s3://bkt/images/chest_xray/e.png); a model trained on evaluation images cannot be evaluated on them",
                e.getMessage());
        assertTrue(jobs.submitted.isEmpty());
    }

    @Test
    void badPinRequestsSayWhy() {
        assertEquals("splitId", assertThrows(InvalidInputException.class,
                () -> sets.pin("chest_xray", new EvaluationSetRequest(null, null))).field());
        assertEquals("splitId", assertThrows(InvalidInputException.class,
                () -> sets.pin("chest_xray", new EvaluationSetRequest("s1", "s3://bkt/x.jsonl"))).field());
        assertThrows(NotFoundException.class, () -> sets.pin("chest_xray", new EvaluationSetRequest("s9", null)));
        assertEquals("manifestUri", assertThrows(InvalidInputException.class,
                () -> sets.pin("chest_xray", new EvaluationSetRequest(null, "/tmp/x.jsonl"))).field());
        assertThrows(NotFoundException.class,
                () -> sets.pin("chest_xray", new EvaluationSetRequest(null, "s3://bkt/none.jsonl")));
        files.put("s3://bkt/bad.jsonl", "{\"class\":\"1\"}\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> sets.pin("chest_xray",
                new EvaluationSetRequest(null, "s3://bkt/bad.jsonl"))).getMessage().contains("line 1 has no source-ref"));
    }
}
