package io.cxrpipeline.training;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import io.cxrpipeline.testing.EventFixtures;

/** The training-events function fed with the EventBridge fixtures under src/test/resources/events/. */
@QuarkusTest
@TestProfile(TrainingEventsFunctionTest.Profile.class)
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BatchStubResource.class, restrictToAnnotatedClass = false)
class TrainingEventsFunctionTest {

    /** Exports the training-events function instead of api. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "training-events");
        }
    }

    private static final String FIXTURE_RUN = "20260301-100000-0a1b2c3d";
    private static final String FIXTURE_JOB = "4c7599ae-0a82-49aa-ba5a-4727fcce14a8";

    @Inject
    TrainingRuns runs;

    @Inject
    ModelVersions registry;

    private final List<String> versions = new ArrayList<>();

    @BeforeEach
    @AfterEach
    void noPromotedModel() {
        // The registry is one partition shared by the whole table: start and leave it without a pointer of ours.
        Emulators.get().dynamo().deleteItem(b -> b.tableName(Emulators.TABLE).key(Map.of(
                "pk", AttributeValue.fromS("MODEL"), "sk", AttributeValue.fromS("PROMOTED"))));
        for (String v : versions) {
            Emulators.get().dynamo().deleteItem(b -> b.tableName(Emulators.TABLE).key(Map.of(
                    "pk", AttributeValue.fromS("MODEL"), "sk", AttributeValue.fromS("V#" + v))));
        }
    }

    /** A SUBMITTED run, as the api function leaves it; returns {runId, jobId}. */
    private String[] submittedRun() {
        String runId = "20260301-100000-" + UUID.randomUUID().toString().substring(0, 8);
        String jobId = UUID.randomUUID().toString();
        String out = "s3://" + Emulators.BUCKET + "/training-runs/" + runId + "/";
        String m = "s3://" + Emulators.BUCKET + "/manifests/events/s1/";
        TrainingParams params = TrainingParams.resolve(new TrainingRunRequest("events", "s1", null, null, null, null),
                "vgg16");
        runs.create(new TrainingRun(runId, "events", "s1", RunStatus.PENDING, null,
                Map.of("PENDING", "2026-03-01T10:00:00.000Z"), "2026-03-01T10:00:00.000Z", "2026-03-01T10:00:00.000Z",
                null, null, null, null, params, new TrainingRun.Manifests(m + "train.jsonl", m + "val.jsonl",
                        m + "test.jsonl"), out, null, null, null, null, null, null, 1L));
        assertTrue(runs.advance(runId, new TrainingRuns.StatusChange(RunStatus.SUBMITTED, "2026-03-01T10:00:01.000Z",
                null, null, jobId, "cxr-train-" + runId)));
        return new String[] {runId, jobId};
    }

    private static String fixture(String name, String[] run) throws IOException {
        return EventFixtures.read(name).replace(FIXTURE_RUN, run[0]).replace(FIXTURE_JOB, run[1]);
    }

    private static JsonNode deliver(String event) throws IOException {
        String out = given().contentType("application/json").body(event).when().post().then().statusCode(200)
                .extract().asString();
        return ApiCalls.MAPPER.readTree(out);
    }

    private static void putObject(String key, String text) {
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key(key), RequestBody.fromString(text));
    }

    private static String metrics(double auc, double sensitivity) {
        return "{\"test\":{\"n\":100,\"accuracy\":0.9,\"sensitivity\":" + sensitivity + ",\"specificity\":0.88,"
                + "\"precision\":0.9,\"f1\":0.9,\"roc_auc\":" + auc + ",\"confusion_matrix\":[[44,6],[4,46]]},"
                + "\"history\":[{\"epoch\":1,\"train_loss\":0.5,\"val_loss\":0.4}],\"classNames\":[\"NORMAL\",\"PNEUMONIA\"]}";
    }

    @Test
    void statesProgressAndAStaleOrDuplicateEventNeverMovesTheRunBack() throws IOException {
        String[] run = submittedRun();
        for (String f : List.of("batch-job-runnable.json", "batch-job-starting.json", "batch-job-running.json")) {
            JsonNode outcome = deliver(fixture(f, run));
            assertTrue(outcome.path("applied").asBoolean(), f + ": " + outcome);
        }
        JsonNode stale = deliver(fixture("batch-job-runnable.json", run));
        assertFalse(stale.path("applied").asBoolean());
        assertEquals("RUNNING", stale.path("runStatus").asText());
        assertFalse(deliver(fixture("batch-job-running.json", run)).path("applied").asBoolean());

        TrainingRun now = runs.find(run[0]).orElseThrow();
        assertEquals(RunStatus.RUNNING, now.status());
        assertEquals(List.of("PENDING", "SUBMITTED", "RUNNABLE", "STARTING", "RUNNING"),
                List.copyOf(now.statusTimes().keySet()));
        assertEquals("2026-03-01T10:04:00.000Z", now.statusTimes().get("RUNNING"));
    }

    @Test
    void failedRecordsBatchsReasonExitCodeAndTheProgramsErrorAndIsFinal() throws IOException {
        String[] run = submittedRun();
        putObject("training-runs/" + run[0] + "/error.json",
                "{\"error\":\"train manifest s3://b/m/train.jsonl line 3: missing source-ref\",\"exitCode\":2}");
        deliver(fixture("batch-job-running.json", run));
        JsonNode outcome = deliver(fixture("batch-job-failed.json", run));
        assertTrue(outcome.path("applied").asBoolean());

        TrainingRun failed = runs.find(run[0]).orElseThrow();
        assertEquals(RunStatus.FAILED, failed.status());
        assertEquals("Essential container in task exited", failed.statusReason());
        assertEquals(2, failed.exitCode());
        assertTrue(failed.error().contains("line 3: missing source-ref"), failed.error());

        putObject("training-runs/" + run[0] + "/metrics.json", metrics(0.99, 0.99));
        assertFalse(deliver(fixture("batch-job-succeeded.json", run)).path("applied").asBoolean());
        assertEquals(RunStatus.FAILED, runs.find(run[0]).orElseThrow().status());
        assertNull(runs.find(run[0]).orElseThrow().modelVersion());
    }

    @Test
    void succeededRegistersTheModelAndPromotesItButNotAWorseOne() throws IOException {
        String[] first = submittedRun();
        putObject("training-runs/" + first[0] + "/metrics.json", metrics(0.95, 0.9));
        deliver(fixture("batch-job-running.json", first));
        JsonNode outcome = deliver(fixture("batch-job-succeeded.json", first));
        String version = "20260301T103400Z-" + first[0];
        versions.add(version);
        assertEquals(version, outcome.path("modelVersion").asText(), outcome.toString());
        assertTrue(outcome.path("promoted").asBoolean());

        ModelVersion model = registry.find(version).orElseThrow();
        assertEquals("s3://" + Emulators.BUCKET + "/training-runs/" + first[0] + "/model.onnx", model.modelUri());
        assertEquals(0.95, model.metric("roc_auc").getAsDouble());
        PromotedModel promoted = registry.promoted().orElseThrow();
        assertEquals(version, promoted.version());
        assertEquals(model.modelUri(), promoted.modelUri());
        TrainingRun done = runs.find(first[0]).orElseThrow();
        assertEquals(RunStatus.SUCCEEDED, done.status());
        assertEquals(version, done.modelVersion());
        assertEquals(0, done.exitCode());
        assertEquals(0.9, ((Number) done.metrics().get("sensitivity")).doubleValue());

        JsonNode duplicate = deliver(fixture("batch-job-succeeded.json", first));
        assertFalse(duplicate.path("applied").asBoolean());
        assertEquals(version, registry.promoted().orElseThrow().version());

        String[] second = submittedRun();
        putObject("training-runs/" + second[0] + "/metrics.json", metrics(0.91, 0.97));
        JsonNode worse = deliver(fixture("batch-job-succeeded.json", second));
        versions.add(worse.path("modelVersion").asText());
        assertFalse(worse.path("promoted").asBoolean(), worse.toString());
        assertTrue(registry.find(worse.path("modelVersion").asText()).isPresent());
        assertEquals(version, registry.promoted().orElseThrow().version());
        assertTrue(runs.find(second[0]).orElseThrow().promotionReason().contains("does not beat"));
    }
}
