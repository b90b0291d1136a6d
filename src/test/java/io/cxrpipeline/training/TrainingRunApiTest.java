package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = BatchStubResource.class, restrictToAnnotatedClass = false)
class TrainingRunApiTest {

    private final BatchStub batch = BatchStub.get();
    private String dataset;

    @BeforeEach
    void split() {
        dataset = "api-" + UUID.randomUUID().toString().substring(0, 8);
        ApiCalls.putSplit(dataset, "s1");
    }

    /** The request, with {@code extra} hyperparameters replacing the defaults they name (a field may not repeat). */
    private String body(String token, String extra) {
        String hyper = "\"arch\":\"small\"" + (extra.contains("\"epochs\"") ? "" : ",\"epochs\":3")
                + (extra.contains("\"imageSize\"") ? "" : ",\"imageSize\":64");
        return "{\"dataset\":\"" + dataset + "\",\"splitId\":\"s1\",\"hyperparameters\":{" + hyper + extra
                + "},\"augmentation\":{\"rotationDegrees\":5},"
                + "\"classWeights\":\"auto\"" + (token == null ? "" : ",\"clientToken\":\"" + token + "\"") + "}";
    }

    @Test
    void postSubmitsOneBatchJobWithTheContractAndGetShowsTheRun() throws Exception {
        ApiCalls.Response r = ApiCalls.call("POST", "/training-runs", body("tok-" + dataset, ""));

        assertEquals(202, r.status(), r.body().toString());
        String runId = r.body().path("runId").asText();
        assertEquals("/training-runs/" + runId, r.header("location"));
        assertEquals("SUBMITTED", r.body().path("status").asText());
        String jobName = "cxr-train-" + runId;
        List<BatchStub.Call> calls = batch.callsFor(jobName);
        assertEquals(1, calls.size());
        BatchStub.Call submit = calls.get(0);
        assertEquals("POST", submit.method());
        assertEquals("/v1/submitjob", submit.path());
        assertTrue(submit.header("Authorization").startsWith("AWS4-HMAC-SHA256 Credential=test/"),
                submit.header("Authorization"));
        JsonNode job = submit.body();
        assertEquals(jobName, job.path("jobName").asText());
        assertEquals("cxr-training", job.path("jobQueue").asText());
        assertEquals("cxr-training", job.path("jobDefinition").asText());
        assertEquals(runId, job.path("tags").path("cxr:runId").asText());
        assertEquals(dataset, job.path("tags").path("cxr:dataset").asText());
        Map<String, String> env = new HashMap<>();
        job.path("containerOverrides").path("environment").forEach(e -> env.put(e.path("name").asText(),
                e.path("value").asText()));
        String manifests = "s3://" + Emulators.BUCKET + "/manifests/" + dataset + "/s1/";
        assertEquals(Map.of(
                "CXR_RUN_ID", runId,
                "CXR_TRAIN_MANIFEST", manifests + "train.jsonl",
                "CXR_VAL_MANIFEST", manifests + "val.jsonl",
                "CXR_TEST_MANIFEST", manifests + "test.jsonl",
                "CXR_OUTPUT", "s3://" + Emulators.BUCKET + "/training-runs/" + runId + "/",
                "CXR_PARAMS", env.get("CXR_PARAMS")), env);
        JsonNode params = ApiCalls.MAPPER.readTree(env.get("CXR_PARAMS"));
        assertEquals("small", params.path("arch").asText());
        assertEquals(3, params.at("/hyperparameters/epochs").asInt());
        assertEquals(5.0, params.at("/augmentation/rotationDegrees").asDouble());
        assertEquals(false, params.at("/augmentation/horizontalFlip").asBoolean());

        ApiCalls.Response got = ApiCalls.call("GET", "/training-runs/" + runId, null);
        assertEquals(200, got.status());
        assertEquals("SUBMITTED", got.body().path("status").asText());
        assertEquals(r.body().path("jobId").asText(), got.body().path("jobId").asText());
        assertNotNull(got.body().path("statusTimes").path("PENDING").asText(null));
        assertNotNull(got.body().path("statusTimes").path("SUBMITTED").asText(null));
        assertEquals(manifests + "test.jsonl", got.body().at("/manifests/test").asText());
        assertEquals(64, got.body().at("/params/hyperparameters/imageSize").asInt());
    }

    @Test
    void retryWithTheSameClientTokenReturnsTheSameRunWithoutASecondSubmitJob() {
        String token = "tok-" + dataset;
        ApiCalls.Response first = ApiCalls.call("POST", "/training-runs", body(token, ""));
        ApiCalls.Response again = ApiCalls.call("POST", "/training-runs", body(token, ""));

        assertEquals(202, again.status());
        String runId = first.body().path("runId").asText();
        assertEquals(runId, again.body().path("runId").asText());
        assertEquals(first.body().path("jobId").asText(), again.body().path("jobId").asText());
        assertEquals(1, batch.callsFor("cxr-train-" + runId).size());
    }

    @Test
    void theSameClientTokenForAnotherRequestIsA409() {
        String token = "tok-" + dataset;
        ApiCalls.call("POST", "/training-runs", body(token, ""));
        ApiCalls.Response other = ApiCalls.call("POST", "/training-runs", body(token, ",\"batchSize\":8"));
        assertEquals(409, other.status());
        assertEquals("application/problem+json", other.header("content-type"));
    }

    @Test
    void aLostSubmitJobResponseIsRecoveredByTheRetryWithoutASecondJob() {
        String token = "tok-" + dataset;
        batch.failNextSubmit(BatchStub.LOST_RESPONSE);
        ApiCalls.Response failed = ApiCalls.call("POST", "/training-runs", body(token, ""));
        assertEquals(503, failed.status(), failed.body().toString());
        assertTrue(failed.body().path("detail").asText().contains("same clientToken"));

        ApiCalls.Response retry = ApiCalls.call("POST", "/training-runs", body(token, ""));
        assertEquals(202, retry.status());
        assertEquals("SUBMITTED", retry.body().path("status").asText());
        List<BatchStub.Call> calls = batch.callsFor("cxr-train-" + retry.body().path("runId").asText());
        assertEquals(List.of("/v1/submitjob", "/v1/listjobs"), calls.stream().map(BatchStub.Call::path).toList());
    }

    @Test
    void batchUnavailableIsA503AndTheRetrySubmits() {
        String token = "tok-" + dataset;
        batch.failNextSubmit(503);
        assertEquals(503, ApiCalls.call("POST", "/training-runs", body(token, "")).status());

        ApiCalls.Response retry = ApiCalls.call("POST", "/training-runs", body(token, ""));
        assertEquals(202, retry.status());
        List<BatchStub.Call> calls = batch.callsFor("cxr-train-" + retry.body().path("runId").asText());
        assertEquals(List.of("/v1/submitjob", "/v1/listjobs", "/v1/submitjob"),
                calls.stream().map(BatchStub.Call::path).toList());
    }

    @Test
    void batchRejectingTheJobFailsTheRun() {
        batch.failNextSubmit(400);
        ApiCalls.Response r = ApiCalls.call("POST", "/training-runs", body("tok-" + dataset, ""));
        assertEquals(503, r.status());
        ApiCalls.Response again = ApiCalls.call("POST", "/training-runs", body("tok-" + dataset, ""));
        assertEquals("FAILED", again.body().path("status").asText());
        assertTrue(again.body().path("statusReason").asText().contains("job queue does not exist"),
                again.body().toString());
    }

    @Test
    void unknownSplitAndUnknownRunAre404() {
        String missing = "{\"dataset\":\"" + dataset + "\",\"splitId\":\"nope\"}";
        ApiCalls.Response r = ApiCalls.call("POST", "/training-runs", missing);
        assertEquals(404, r.status());
        assertTrue(r.body().path("detail").asText().contains("nope"));
        assertEquals(404, ApiCalls.call("GET", "/training-runs/20990101-000000-00000000", null).status());
    }

    @Test
    void evaluationOptionsReachTheJobAndTheRun() throws Exception {
        String body = "{\"dataset\":\"" + dataset + "\",\"splitId\":\"s1\",\"hyperparameters\":{\"arch\":\"small\"},"
                + "\"operatingPoint\":{\"method\":\"youden\"},\"calibration\":\"none\",\"bootstrapResamples\":200}";
        ApiCalls.Response r = ApiCalls.call("POST", "/training-runs", body);
        assertEquals(202, r.status(), r.body().toString());
        String runId = r.body().path("runId").asText();
        JsonNode job = batch.callsFor("cxr-train-" + runId).get(0).body();
        String cxrParams = null;
        for (JsonNode e : job.path("containerOverrides").path("environment")) {
            if (e.path("name").asText().equals("CXR_PARAMS")) {
                cxrParams = e.path("value").asText();
            }
        }
        JsonNode params = ApiCalls.MAPPER.readTree(cxrParams);
        // The names and shapes the training program reads (cxrtrain/config.py).
        assertEquals("youden", params.at("/operatingPoint/method").asText());
        assertEquals(0.95, params.at("/operatingPoint/targetSensitivity").asDouble());
        assertEquals("none", params.path("calibration").asText());
        assertEquals(200, params.path("bootstrapResamples").asInt());
        JsonNode got = ApiCalls.call("GET", "/training-runs/" + runId, null).body();
        assertEquals("youden", got.at("/params/operatingPoint/method").asText());
        assertEquals(200, got.at("/params/bootstrapResamples").asInt());

        ApiCalls.Response bad = ApiCalls.call("POST", "/training-runs", "{\"dataset\":\"" + dataset
                + "\",\"splitId\":\"s1\",\"operatingPoint\":{\"targetSensitivity\":1.5}}");
        assertEquals(400, bad.status());
        assertEquals("operatingPoint.targetSensitivity", bad.body().path("field").asText());
        ApiCalls.Response unknown = ApiCalls.call("POST", "/training-runs", "{\"dataset\":\"" + dataset
                + "\",\"splitId\":\"s1\",\"operatingPoint\":{\"fpr\":0.1}}");
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().path("field").asText().contains("fpr"), unknown.body().toString());
    }

    @Test
    void badValuesAre400NamingTheField() {
        assertEquals("hyperparameters.imageSize",
                ApiCalls.call("POST", "/training-runs", body(null, ",\"imageSize\":100")).body().path("field").asText());
        assertEquals("hyperparameters.epochs",
                ApiCalls.call("POST", "/training-runs", body(null, ",\"epochs\":2.5")).body().path("field").asText());
        ApiCalls.Response notANumber = ApiCalls.call("POST", "/training-runs", body(null, ",\"batchSize\":\"many\""));
        assertEquals(400, notANumber.status());
        assertEquals("hyperparameters.batchSize", notANumber.body().path("field").asText());
        ApiCalls.Response unknown = ApiCalls.call("POST", "/training-runs", body(null, ",\"momentum\":0.9"));
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().path("field").asText().contains("momentum"), unknown.body().toString());
        assertEquals("splitId", ApiCalls.call("POST", "/training-runs", "{\"dataset\":\"" + dataset + "\"}").body()
                .path("field").asText());
    }
}
