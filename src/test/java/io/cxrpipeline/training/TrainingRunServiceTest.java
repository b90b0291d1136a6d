package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.api.ProblemMapper;
import io.cxrpipeline.common.DomainException;

class TrainingRunServiceTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private InMemoryTrainingRuns runs;
    private FakeTrainingJobs jobs;
    private MutableClock clock;
    private TrainingRunService service;

    @BeforeEach
    void setUp() {
        runs = new InMemoryTrainingRuns();
        runs.addSplit("chest_xray", "s1");
        jobs = new FakeTrainingJobs();
        clock = new MutableClock("2026-03-01T10:00:00Z");
        AtomicInteger n = new AtomicInteger();
        service = new TrainingRunService(runs, jobs, TestConfigs.training(), "bkt", mapper, clock,
                () -> String.format("%08x", n.incrementAndGet()));
    }

    private static TrainingRunRequest request(String token) {
        return new TrainingRunRequest("chest_xray", "s1",
                new TrainingRunRequest.Hyperparameters(3, 16, null, 64, null, "small", 2, null, null),
                null, "none", token);
    }

    @Test
    void submitRecordsTheRunAndSubmitsOneJobWithTheEnvironmentContract() throws Exception {
        TrainingRunService.Submission s = service.submit(request("t1"));

        assertTrue(s.created());
        TrainingRun run = s.run();
        assertEquals("20260301-100000-00000001", run.runId());
        assertEquals(RunStatus.SUBMITTED, run.status());
        assertEquals("job-1", run.jobId());
        assertEquals("cxr-train-" + run.runId(), run.jobName());
        assertEquals(java.util.List.of("PENDING", "SUBMITTED"), java.util.List.copyOf(run.statusTimes().keySet()));
        assertEquals(1, jobs.submitted.size());
        JobSubmission job = jobs.submitted.get(0);
        assertEquals("cxr-train-" + run.runId(), job.jobName());
        Map<String, String> env = job.environment();
        assertEquals(run.runId(), env.get("CXR_RUN_ID"));
        assertEquals("s3://bkt/manifests/chest_xray/s1/train.jsonl", env.get("CXR_TRAIN_MANIFEST"));
        assertEquals("s3://bkt/manifests/chest_xray/s1/val.jsonl", env.get("CXR_VAL_MANIFEST"));
        assertEquals("s3://bkt/manifests/chest_xray/s1/test.jsonl", env.get("CXR_TEST_MANIFEST"));
        assertEquals("s3://bkt/training-runs/" + run.runId() + "/", env.get("CXR_OUTPUT"));
        JsonNode params = mapper.readTree(env.get("CXR_PARAMS"));
        assertEquals("small", params.get("arch").asText());
        assertEquals(3, params.at("/hyperparameters/epochs").asInt());
        assertEquals(0.001, params.at("/hyperparameters/learningRate").asDouble());
        assertFalse(params.at("/augmentation/horizontalFlip").asBoolean());
        assertEquals("none", params.get("classWeights").asText());
        assertEquals(run.runId(), job.tags().get("cxr:runId"));
    }

    @Test
    void sameClientTokenReturnsTheSameRunAndNeverSubmitsTwice() {
        TrainingRun first = service.submit(request("t1")).run();
        TrainingRunService.Submission again = service.submit(request("t1"));

        assertFalse(again.created());
        assertEquals(first.runId(), again.run().runId());
        assertEquals(1, jobs.submitted.size());
        assertEquals(0, jobs.lookups);
    }

    @Test
    void requestsWithoutATokenAreDistinctRuns() {
        String a = service.submit(request(null)).run().runId();
        String b = service.submit(request(null)).run().runId();
        assertNotEquals(a, b);
        assertEquals(2, jobs.submitted.size());
    }

    @Test
    void sameClientTokenForADifferentRequestIsAConflict() {
        service.submit(request("t1"));
        TrainingRunRequest other = new TrainingRunRequest("chest_xray", "s1", null, null, null, "t1");
        DomainException e = assertThrows(DomainException.class, () -> service.submit(other));
        assertEquals(409, status(e));
        assertEquals(1, jobs.submitted.size());
    }

    @Test
    void unknownSplitIsNotFound() {
        DomainException e = assertThrows(DomainException.class, () -> service.submit(
                new TrainingRunRequest("chest_xray", "nope", null, null, null, null)));
        assertEquals(404, status(e));
        assertTrue(jobs.submitted.isEmpty());
    }

    @Test
    void missingDatasetAndBadTokenNameTheField() {
        DomainException e = assertThrows(DomainException.class, () -> service.submit(
                new TrainingRunRequest(null, "s1", null, null, null, null)));
        assertEquals("dataset", e.field());
        e = assertThrows(DomainException.class, () -> service.submit(
                new TrainingRunRequest("chest_xray", "s1", null, null, null, "has space")));
        assertEquals("clientToken", e.field());
    }

    @Test
    void retryAfterTheFirstRequestDiedBeforeSubmittingSubmitsOnce() {
        // The first request claimed the token and recorded the run, then stopped before calling Batch.
        jobs.failures.add(new JobSubmissionException("connection reset", true, null));
        assertThrows(DomainException.class, () -> service.submit(request("t1")));
        TrainingRun pending = runs.runs.values().iterator().next();
        runs.runs.put(pending.runId(), claimedAt(pending, clock.millis()));

        // Within the lease a retry leaves it to the first request.
        TrainingRunService.Submission early = service.submit(request("t1"));
        assertEquals(RunStatus.PENDING, early.run().status());
        assertTrue(jobs.submitted.isEmpty());

        clock.advance(Duration.ofSeconds(61));
        TrainingRunService.Submission retry = service.submit(request("t1"));
        assertEquals(pending.runId(), retry.run().runId());
        assertEquals(RunStatus.SUBMITTED, retry.run().status());
        assertEquals(1, jobs.submitted.size());
        assertEquals(1, jobs.lookups);
        service.submit(request("t1"));
        assertEquals(1, jobs.submitted.size());
    }

    @Test
    void retryAfterTheFirstRequestDiedAfterSubmittingAdoptsTheJob() {
        // Batch took the job, then the request died before recording SUBMITTED.
        jobs.duringSubmit = () -> {
            throw new IllegalStateException("the function timed out");
        };
        assertThrows(IllegalStateException.class, () -> service.submit(request("t1")));
        jobs.duringSubmit = () -> {
        };
        TrainingRun pending = runs.runs.values().iterator().next();
        assertEquals(RunStatus.PENDING, pending.status());

        clock.advance(Duration.ofMinutes(2));
        TrainingRun run = service.submit(request("t1")).run();
        assertEquals(RunStatus.SUBMITTED, run.status());
        assertEquals("job-1", run.jobId());
        assertEquals(1, jobs.submitted.size());
    }

    @Test
    void retryAfterTheFirstRequestDiedBetweenTokenAndRunRecordsTheRun() {
        runs.claimToken("t1", "20260301-095900-deadbeef", hashOf(request("t1")), "2026-03-01T09:59:00.000Z");
        TrainingRunService.Submission s = service.submit(request("t1"));
        assertEquals("20260301-095900-deadbeef", s.run().runId());
        assertEquals(RunStatus.SUBMITTED, s.run().status());
        assertEquals(1, jobs.submitted.size());
    }

    @Test
    void batchUnavailableLeavesTheRunPendingAndARetrySubmits() {
        jobs.failures.add(new JobSubmissionException("HTTP 503", true, null));
        DomainException e = assertThrows(DomainException.class, () -> service.submit(request("t1")));
        assertEquals(503, status(e));
        TrainingRun run = runs.runs.values().iterator().next();
        assertEquals(RunStatus.PENDING, run.status());
        assertNull(run.submitClaimedAt());

        TrainingRun retried = service.submit(request("t1")).run();
        assertEquals(RunStatus.SUBMITTED, retried.status());
        assertEquals(1, jobs.submitted.size());
    }

    @Test
    void batchRejectingTheJobFailsTheRunWithTheReason() {
        jobs.failures.add(new JobSubmissionException("SubmitJob: job queue does not exist (HTTP 400)", false, null));
        DomainException e = assertThrows(DomainException.class, () -> service.submit(request("t1")));
        assertEquals(503, status(e));
        TrainingRun run = runs.runs.values().iterator().next();
        assertEquals(RunStatus.FAILED, run.status());
        assertTrue(run.statusReason().contains("job queue does not exist"));
        assertEquals(RunStatus.FAILED, service.submit(request("t1")).run().status());
        assertTrue(jobs.submitted.isEmpty());
    }

    @Test
    void eventsFasterThanTheApiKeepTheirStatusAndTheJobIsRecorded() {
        jobs.duringSubmit = () -> {
            String runId = runs.runs.keySet().iterator().next();
            runs.advance(runId, new TrainingRuns.StatusChange(RunStatus.RUNNABLE, "2026-03-01T10:00:01.000Z", null,
                    null, null, null));
        };
        TrainingRun run = service.submit(request("t1")).run();
        assertEquals(RunStatus.RUNNABLE, run.status());
        assertEquals("job-1", run.jobId());
    }

    @Test
    void unknownRunIsNotFound() {
        assertEquals(404, status(assertThrows(DomainException.class, () -> service.get("nope"))));
        assertEquals(404, status(assertThrows(DomainException.class, () -> service.get("a#b"))));
    }

    private String hashOf(TrainingRunRequest request) {
        // Submitting the same request on a scratch service reveals the hash the token holds.
        InMemoryTrainingRuns scratch = new InMemoryTrainingRuns();
        scratch.addSplit("chest_xray", "s1");
        new TrainingRunService(scratch, new FakeTrainingJobs(), TestConfigs.training(), "bkt", mapper, clock,
                () -> "x").submit(request);
        return scratch.tokens.get(request.clientToken()).requestHash();
    }

    private static TrainingRun claimedAt(TrainingRun r, long millis) {
        return new TrainingRun(r.runId(), r.dataset(), r.splitId(), r.status(), r.statusReason(), r.statusTimes(),
                r.createdAt(), r.updatedAt(), r.jobId(), r.jobName(), r.exitCode(), r.error(), r.params(),
                r.manifests(), r.outputUri(), r.metrics(), r.modelVersion(), r.modelUri(), r.promoted(),
                r.promotionReason(), r.clientToken(), millis);
    }

    /** The HTTP status the edge answers for the exception. */
    static int status(DomainException e) {
        return ProblemMapper.toProblem(e, "POST", "/").status();
    }
}
