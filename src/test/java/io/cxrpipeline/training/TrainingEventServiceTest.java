package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class TrainingEventServiceTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private InMemoryTrainingRuns runs;
    private InMemoryModelVersions registry;
    private Map<String, String> files;
    private TrainingRunService api;
    private TrainingEventService events;
    private MutableClock clock;

    @BeforeEach
    void setUp() {
        runs = new InMemoryTrainingRuns();
        runs.addSplit("chest_xray", "s1");
        registry = new InMemoryModelVersions();
        files = new HashMap<>();
        clock = new MutableClock("2026-03-01T10:00:00Z");
        int[] n = {0};
        api = new TrainingRunService(runs, new FakeTrainingJobs(), TestConfigs.training(), "bkt", mapper, clock,
                () -> String.format("%08x", ++n[0]));
        RunArtifacts artifacts = uri -> Optional.ofNullable(files.get(uri));
        events = new TrainingEventService(runs, registry, artifacts, new PromotionPolicy("roc_auc", 0.8), mapper,
                clock);
    }

    private TrainingRun newRun() {
        return api.submit(new TrainingRunRequest("chest_xray", "s1", null, null, null, null)).run();
    }

    private static BatchJobStateChange event(TrainingRun run, String status, String time) {
        return event(run.runId(), run.jobId(), status, time, null, null);
    }

    private static BatchJobStateChange event(String runId, String jobId, String status, String time, String reason,
            Integer exitCode) {
        return new BatchJobStateChange("0", "e-" + status, "Batch Job State Change", "aws.batch", "123456789012",
                time, "us-east-1", List.of(),
                new BatchJobStateChange.Detail("arn:aws:batch:us-east-1:123456789012:job/" + jobId,
                        "cxr-train-" + runId, jobId, "arn:aws:batch:us-east-1:123456789012:job-queue/cxr-training",
                        status, reason, 1L, null, null, Map.of("cxr:runId", runId),
                        exitCode == null ? null : new BatchJobStateChange.Container(exitCode, null, null, null),
                        List.of()));
    }

    private void writeMetrics(TrainingRun run, double auc, double sensitivity) {
        files.put(run.outputUri() + "metrics.json", "{\"runId\":\"" + run.runId() + "\",\"test\":{\"accuracy\":0.9,"
                + "\"sensitivity\":" + sensitivity + ",\"specificity\":0.85,\"precision\":0.9,\"f1\":0.9,\"roc_auc\":"
                + auc + ",\"confusion_matrix\":[[40,10],[5,45]]},\"history\":[]}");
    }

    private TrainingRun succeed(TrainingRun run, String time) {
        events.handle(event(run, "RUNNING", time));
        events.handle(event(run, "SUCCEEDED", time));
        return runs.find(run.runId()).orElseThrow();
    }

    @Test
    void statusMovesThroughTheBatchStatesWithTheirTimes() {
        TrainingRun run = newRun();
        for (String s : List.of("RUNNABLE", "STARTING", "RUNNING")) {
            assertTrue(events.handle(event(run, s, "2026-03-01T10:01:00Z")).applied(), s);
        }
        TrainingRun now = runs.find(run.runId()).orElseThrow();
        assertEquals(RunStatus.RUNNING, now.status());
        assertEquals(List.of("PENDING", "SUBMITTED", "RUNNABLE", "STARTING", "RUNNING"),
                List.copyOf(now.statusTimes().keySet()));
        assertEquals("2026-03-01T10:01:00.000Z", now.statusTimes().get("RUNNING"));
    }

    @Test
    void outOfOrderEventNeverMovesARunBack() {
        TrainingRun run = newRun();
        events.handle(event(run, "RUNNING", "2026-03-01T10:02:00Z"));
        TrainingEventOutcome late = events.handle(event(run, "RUNNABLE", "2026-03-01T10:01:00Z"));
        assertFalse(late.applied());
        assertEquals("RUNNING", late.runStatus());
        assertEquals(RunStatus.RUNNING, runs.find(run.runId()).orElseThrow().status());
    }

    @Test
    void duplicateEventChangesNothing() {
        TrainingRun run = newRun();
        assertTrue(events.handle(event(run, "STARTING", "2026-03-01T10:01:00Z")).applied());
        TrainingRun before = runs.find(run.runId()).orElseThrow();
        assertFalse(events.handle(event(run, "STARTING", "2026-03-01T10:05:00Z")).applied());
        assertEquals(before, runs.find(run.runId()).orElseThrow());
    }

    @Test
    void terminalStatesAreFinal() {
        TrainingRun run = newRun();
        events.handle(event(run.runId(), run.jobId(), "FAILED", "2026-03-01T10:03:00Z", "Essential container in task "
                + "exited", 2));
        writeMetrics(run, 0.9, 0.9);
        assertFalse(events.handle(event(run, "SUCCEEDED", "2026-03-01T10:04:00Z")).applied());
        TrainingRun now = runs.find(run.runId()).orElseThrow();
        assertEquals(RunStatus.FAILED, now.status());
        assertNull(now.modelVersion());
        assertTrue(registry.versions.isEmpty());
    }

    @Test
    void failedRecordsBatchsReasonTheExitCodeAndTheProgramsError() {
        TrainingRun run = newRun();
        files.put(run.outputUri() + "error.json", "{\"error\":\"1 of 400 images could not be read\",\"exitCode\":2}");
        TrainingEventOutcome o = events.handle(event(run.runId(), run.jobId(), "FAILED", "2026-03-01T10:03:00Z",
                "Essential container in task exited", 2));
        assertTrue(o.applied());
        TrainingRun now = runs.find(run.runId()).orElseThrow();
        assertEquals(RunStatus.FAILED, now.status());
        assertEquals("Essential container in task exited", now.statusReason());
        assertEquals(2, now.exitCode());
        assertEquals("1 of 400 images could not be read", now.error());
    }

    @Test
    void succeededRegistersTheModelAndPromotesTheFirstQualifyingOne() {
        TrainingRun run = newRun();
        writeMetrics(run, 0.93, 0.95);
        TrainingRun done = succeed(run, "2026-03-01T11:00:00Z");

        String version = "20260301T110000Z-" + run.runId();
        assertEquals(version, done.modelVersion());
        assertTrue(done.promoted());
        assertEquals(0.93, ((Number) done.metrics().get("roc_auc")).doubleValue());
        ModelVersion model = registry.versions.get(version);
        assertEquals(run.outputUri() + "model.onnx", model.modelUri());
        assertEquals(run.runId(), model.runId());
        assertEquals(version, registry.promoted.version());
        assertEquals(model.modelUri(), registry.promoted.modelUri());
        assertEquals(0.93, registry.promoted.metricValue());
    }

    @Test
    void aWorseModelIsRegisteredButNotPromotedAndABetterOneIs() {
        TrainingRun first = newRun();
        writeMetrics(first, 0.93, 0.95);
        succeed(first, "2026-03-01T11:00:00Z");
        String firstVersion = registry.promoted.version();

        TrainingRun worse = newRun();
        writeMetrics(worse, 0.90, 0.99);
        TrainingRun w = succeed(worse, "2026-03-01T12:00:00Z");
        assertFalse(w.promoted());
        assertTrue(w.promotionReason().contains("does not beat"), w.promotionReason());
        assertEquals(firstVersion, registry.promoted.version());
        assertEquals(2, registry.versions.size());

        TrainingRun better = newRun();
        writeMetrics(better, 0.97, 0.9);
        assertTrue(succeed(better, "2026-03-01T13:00:00Z").promoted());
        assertEquals("20260301T130000Z-" + better.runId(), registry.promoted.version());
        assertEquals(firstVersion, registry.promoted.previousVersion());
    }

    private void writePairedMetrics(TrainingRun run, String promotedVersion, double newAuc, double oldAuc, double p) {
        String comparison = "{\"n\":200,\"promotedVersion\":\"" + promotedVersion + "\",\"metrics\":{\"roc_auc\":"
                + "{\"new\":" + newAuc + ",\"promoted\":" + oldAuc + ",\"difference\":" + (newAuc - oldAuc)
                + ",\"ci\":{\"low\":-0.01,\"high\":0.05,\"level\":0.95},\"pValueGreater\":" + p
                + ",\"test\":\"DeLong\"}}}";
        files.put(run.outputUri() + "metrics.json", "{\"runId\":\"" + run.runId() + "\",\"test\":{\"sensitivity\":0.96,"
                + "\"roc_auc\":" + newAuc + ",\"threshold\":0.31},\"operatingPoint\":{\"method\":\"sensitivity\","
                + "\"threshold\":0.31},\"evaluation\":{\"n\":200,\"comparison\":" + comparison + "},"
                + "\"report\":\"report.html\"}");
    }

    @Test
    void withAnEvaluationSetTheNewModelMustWinThePairedTest() {
        TrainingRun first = newRun();
        writeMetrics(first, 0.99, 0.95);
        succeed(first, "2026-03-01T11:00:00Z");
        String champion = registry.promoted.version();

        // Higher AUC on the same images, but not significantly so: kept out, and the run says why.
        TrainingRun close = newRun();
        writePairedMetrics(close, champion, 0.93, 0.92, 0.21);
        TrainingRun c = succeed(close, "2026-03-01T12:00:00Z");
        assertFalse(c.promoted());
        assertTrue(c.promotionReason().contains("paired on 200 evaluation images: roc_auc 0.9300 vs 0.9200 of "
                + champion + ", difference 0.0100 (95% CI -0.0100 to 0.0500), DeLong one-sided p = 0.2100 is not "
                + "below the significance 0.0500"), c.promotionReason());
        assertEquals(champion, registry.promoted.version());
        @SuppressWarnings("unchecked")
        Map<String, Object> evaluation = (Map<String, Object>) c.metrics().get("evaluation");
        assertEquals(200, evaluation.get("n"));
        assertEquals(0.31, ((Map<?, ?>) c.metrics().get("operatingPoint")).get("threshold"));
        assertEquals(close.outputUri() + "report.html", c.metrics().get("report"));

        // The unpaired figures (0.93 < 0.99 on another test set) do not matter: the paired test does.
        TrainingRun better = newRun();
        writePairedMetrics(better, champion, 0.95, 0.92, 0.003);
        TrainingRun b = succeed(better, "2026-03-01T13:00:00Z");
        assertTrue(b.promoted(), b.promotionReason());
        assertTrue(b.promotionReason().contains("p = 0.0030 < 0.0500"), b.promotionReason());
        assertTrue(b.promotionReason().contains("at its operating point (threshold 0.3100)"), b.promotionReason());
    }

    @Test
    void aModelBelowTheSensitivityFloorIsNeverPromoted() {
        TrainingRun run = newRun();
        writeMetrics(run, 0.99, 0.5);
        TrainingRun done = succeed(run, "2026-03-01T11:00:00Z");
        assertFalse(done.promoted());
        assertTrue(done.promotionReason().contains("below the floor"), done.promotionReason());
        assertNull(registry.promoted);
        assertNotNull(done.modelVersion());
    }

    @Test
    void duplicateSucceededEventRegistersAndPromotesOnce() {
        TrainingRun run = newRun();
        writeMetrics(run, 0.93, 0.95);
        succeed(run, "2026-03-01T11:00:00Z");
        TrainingEventOutcome again = events.handle(event(runs.find(run.runId()).orElseThrow(), "SUCCEEDED",
                "2026-03-01T11:00:05Z"));
        assertFalse(again.applied());
        assertEquals(1, registry.versions.size());
        assertEquals(1, registry.promotions);
    }

    @Test
    void aRetryAfterMissingMetricsRegistersOnceTheyAreThere() {
        TrainingRun run = newRun();
        TrainingRun done = succeed(run, "2026-03-01T11:00:00Z");
        assertNull(done.modelVersion());
        assertTrue(done.error().contains("metrics.json"), done.error());

        writeMetrics(run, 0.93, 0.95);
        TrainingEventOutcome again = events.handle(event(done, "SUCCEEDED", "2026-03-01T11:00:00Z"));
        assertEquals("20260301T110000Z-" + run.runId(), again.modelVersion());
        assertTrue(again.promoted());
        assertNull(runs.find(run.runId()).orElseThrow().error());
    }

    @Test
    void anEventOfAnotherJobWithTheSameNameIsIgnored() {
        TrainingRun run = newRun();
        TrainingEventOutcome o = events.handle(event(run.runId(), "stray-job", "RUNNING", "2026-03-01T10:01:00Z",
                null, null));
        assertFalse(o.applied());
        assertEquals(RunStatus.SUBMITTED, runs.find(run.runId()).orElseThrow().status());
    }

    @Test
    void anEventAdoptsTheJobOfARunWhoseSubmissionWasNeverRecorded() {
        TrainingRun run = newRun();
        TrainingRun pending = new TrainingRun(run.runId() + "x", run.dataset(), run.splitId(), RunStatus.PENDING, null,
                Map.of("PENDING", run.createdAt()), run.createdAt(), run.createdAt(), null, null, null, null,
                run.params(), run.manifests(), run.outputUri(), null, null, null, null, null, null, 1L);
        runs.create(pending);
        assertTrue(events.handle(event(pending.runId(), "job-9", "RUNNABLE", "2026-03-01T10:01:00Z", null, null))
                .applied());
        TrainingRun now = runs.find(pending.runId()).orElseThrow();
        assertEquals("job-9", now.jobId());
        assertEquals(RunStatus.RUNNABLE, now.status());
    }

    @Test
    void eventsOfOtherJobsAndUnknownRunsAreIgnored() {
        BatchJobStateChange other = new BatchJobStateChange("0", "e", "Batch Job State Change", "aws.batch", null,
                null, null, null, new BatchJobStateChange.Detail(null, "nightly-etl", "j", null, "RUNNING", null,
                        null, null, null, Map.of(), null, null));
        assertFalse(events.handle(other).applied());
        assertFalse(events.handle(event("20990101-000000-00000000", "j", "RUNNING", null, null, null)).applied());
    }
}
