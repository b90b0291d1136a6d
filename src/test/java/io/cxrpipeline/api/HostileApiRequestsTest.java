package io.cxrpipeline.api;

import static io.cxrpipeline.api.HostileRequests.Case.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxrpipeline.ingest.TestImages;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Hostile requests through every route of the {@code api} function, against the emulators, with a real dataset
 * and split behind them: every one is the expected 4xx problem+json naming the field, none is a 5xx.
 */
@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class HostileApiRequestsTest {

    private final String ds = "hostile-" + UUID.randomUUID().toString().substring(0, 8);

    /** 10 patients per class, one image each: 20 groups. */
    private String prepare() throws Exception {
        for (int i = 0; i < 20; i++) {
            String label = i % 2 == 0 ? "NORMAL" : "PNEUMONIA";
            String key = "images/" + ds + "/train/" + label + "/person" + i + "_virus_" + i + ".jpeg";
            byte[] jpeg = TestImages.jpeg(64, 64, i);
            Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key(key), RequestBody.fromBytes(jpeg));
        }
        HostileRequests.Answer reindex = HostileRequests.send(json("reindex", "POST", "/datasets/" + ds + "/reindex",
                "{}", 202, null));
        assertEquals(202, reindex.status(), reindex.body());
        HostileRequests.Answer split = HostileRequests.send(json("split", "POST", "/datasets/" + ds + "/splits",
                "{\"seed\":7}", 201, null));
        assertEquals(201, split.status(), split.body());
        JsonNode body = HostileRequests.MAPPER.readTree(split.body());
        return body.get("splitId").asText();
    }

    @Test
    void everyHostileRequestIsAProblemNamingTheFieldAndNoneIsA5xx() throws Exception {
        String splitId = prepare();
        String dist = "/datasets/" + ds + "/distribution";
        String splits = "/datasets/" + ds + "/splits";
        String reindex = "/datasets/" + ds + "/reindex";
        String longName = "n".repeat(5000);
        String run = "{\"dataset\":\"" + ds + "\",\"splitId\":\"" + splitId + "\"";
        List<HostileRequests.Case> cases = new ArrayList<>(List.of(
                // Paths and methods.
                json("5 KB dataset name", "GET", "/datasets/" + longName + "/distribution", null, 400, "dataset"),
                json("'#' in the dataset", "GET", "/datasets/a%23b/distribution", null, 400, "dataset"),
                json("encoded '/' in the dataset", "GET", "/datasets/a%2Fb/distribution", null, 400, "dataset"),
                json("dot-dot dataset", "GET", "/datasets/%2E%2E/distribution", null, 400, "dataset"),
                json("NUL in the dataset", "GET", "/datasets/a%00b/distribution", null, 400, "dataset"),
                json("newline in the dataset", "GET", "/datasets/a%0Ab/distribution", null, 400, "dataset"),
                json("broken percent-encoding", "GET", "/datasets/a%zz/distribution", null, 400, "dataset"),
                json("blank dataset", "GET", "/datasets/%20/distribution", null, 400, "dataset"),
                json("unknown dataset", "GET", "/datasets/no-such-" + ds + "/distribution", null, 404, "dataset"),
                json("DELETE on a GET route", "DELETE", dist, null, 405, "method"),
                json("POST on a GET route", "POST", dist, "{}", 405, "method"),
                json("PUT on a POST route", "PUT", splits, "{}", 405, "method"),
                json("GET on a POST route", "GET", reindex, null, 405, "method"),
                json("made-up method", "BREW", dist, null, 405, "method"),
                json("extra segment", "GET", dist + "/extra", null, 404, "path"),
                json("unknown path", "GET", "/nowhere", null, 404, "path"),
                json("5 KB unknown path", "GET", "/" + longName, null, 404, "path"),
                // POST /datasets/{dataset}/splits
                json("two JSON documents", "POST", splits, "{\"seed\":7} {\"seed\":8}", 400, "body"),
                json("a stray bracket after the document", "POST", splits, "{\"seed\":7}]", 400, "body"),
                json("ratios below one group", "POST", splits,
                        "{\"ratios\":{\"train\":0.9999999,\"val\":1e-300,\"test\":1e-7}}", 422, "ratios.val"),
                json("seed as a string", "POST", splits, "{\"seed\":\"7\"}", 400, "seed"),
                json("seed overflowing a long", "POST", splits, "{\"seed\":99999999999999999999999}", 400, "seed"),
                json("seed of 1e400", "POST", splits, "{\"seed\":1e400}", 400, "seed"),
                json("NaN ratio", "POST", splits, "{\"ratios\":{\"train\":NaN,\"val\":0.2,\"test\":0.2}}", 400,
                        "ratios.train"),
                json("repeated ratio", "POST", splits,
                        "{\"ratios\":{\"train\":0.6,\"val\":0.2,\"test\":0.2,\"test\":0.2}}", 400, "ratios.test"),
                json("200-digit seed", "POST", splits, "{\"seed\":" + "9".repeat(200) + "}", 400, "seed"),
                json("an array body", "POST", splits, "[]", 400, "body"),
                json("a null body", "POST", splits, "null", 400, "body"),
                json("a string body", "POST", splits, "\"x\"", 400, "body"),
                json("NUL in an unknown field", "POST", splits, "{\"evil\\u0000\":1}", 400, "evil\u0000"),
                json("negative target", "POST", splits, "{\"target\":-1}", 400, "target"),
                json("operator object as a strategy", "POST", splits, "{\"balance\":{\"$gt\":\"\"}}", 400, "balance"),
                json("unclosed object", "POST", splits, "{\"seed\":7", 400, "seed"),
                new HostileRequests.Case("a form body", "POST", splits, "application/x-www-form-urlencoded", "seed=7",
                        false, 400, "body"),
                new HostileRequests.Case("invalid UTF-8", "POST", splits, "application/json",
                        Base64.getEncoder().encodeToString(new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1',
                                '}'}), true, 400, "body"),
                new HostileRequests.Case("broken base64", "POST", splits, "application/json", "%%%", true, 400, "body"),
                json("5 KB dataset on splits", "POST", "/datasets/" + longName + "/splits", "{}", 400, "dataset"),
                json("'#' dataset on splits", "POST", "/datasets/a%23b/splits", "{}", 400, "dataset"),
                json("unknown dataset on splits", "POST", "/datasets/no-such-" + ds + "/splits", "{}", 404, "dataset"),
                // GET /datasets/{dataset}/splits/{splitId}
                json("5 KB split id", "GET", splits + "/" + longName, null, 404, "splitId"),
                json("split id not hex", "GET", splits + "/zzzz", null, 404, "splitId"),
                json("unknown split id", "GET", splits + "/" + "0".repeat(16), null, 404, "splitId"),
                json("dot-dot dataset on a split", "GET", "/datasets/%2E%2E/splits/" + splitId, null, 400, "dataset"),
                // POST /datasets/{dataset}/reindex
                json("limit as a string", "POST", reindex, "{\"limit\":\"5\"}", 400, "limit"),
                json("fractional limit", "POST", reindex, "{\"limit\":2.5}", 400, "limit"),
                json("zero limit", "POST", reindex, "{\"limit\":0}", 400, "limit"),
                json("limit overflowing an int", "POST", reindex, "{\"limit\":99999999999}", 400, "limit"),
                json("force as a string", "POST", reindex, "{\"force\":\"yes\"}", 400, "force"),
                json("force as a number", "POST", reindex, "{\"force\":1}", 400, "force"),
                json("token as an object", "POST", reindex, "{\"continuationToken\":{\"a\":1}}", 400,
                        "continuationToken"),
                json("misspelt field", "POST", reindex, "{\"contnuationToken\":\"x\"}", 400, "contnuationToken"),
                json("two documents on reindex", "POST", reindex, "{\"limit\":1} {\"limit\":2}", 400, "body"),
                json("garbled token", "POST", reindex, "{\"continuationToken\":\"%%%\"}", 400, "continuationToken"),
                json("null body on reindex", "POST", reindex, "null", 400, "body"),
                json("deep nesting on reindex", "POST", reindex, "{\"continuationToken\":" + "[".repeat(100)
                        + "]".repeat(100) + "}", 400, "continuationToken"),
                json("5 KB dataset on reindex", "POST", "/datasets/" + longName + "/reindex", "{}", 400, "dataset"),
                json("'#' dataset on reindex", "POST", "/datasets/a%23b/reindex", "{}", 400, "dataset"),
                // POST /training-runs, GET /training-runs/{runId}
                json("empty run request", "POST", "/training-runs", "{}", 400, "dataset"),
                json("'#' dataset on a run", "POST", "/training-runs", "{\"dataset\":\"a#b\",\"splitId\":\"x\"}", 400,
                        "dataset"),
                json("5 KB dataset on a run", "POST", "/training-runs", "{\"dataset\":\"" + longName
                        + "\",\"splitId\":\"x\"}", 400, "dataset"),
                json("epochs as a word", "POST", "/training-runs", run + ",\"hyperparameters\":{\"epochs\":\"many\"}}",
                        400, "hyperparameters.epochs"),
                json("hyperparameters as an array", "POST", "/training-runs", run + ",\"hyperparameters\":[]}", 400,
                        "hyperparameters"),
                json("flip as a string", "POST", "/training-runs",
                        run + ",\"augmentation\":{\"horizontalFlip\":\"yes\"}}", 400, "augmentation.horizontalFlip"),
                json("unknown run field", "POST", "/training-runs", run + ",\"extra\":1}", 400, "extra"),
                json("unknown hyperparameter", "POST", "/training-runs", run + ",\"hyperparameters\":{\"lr\":1}}",
                        400, "hyperparameters.lr"),
                json("two run documents", "POST", "/training-runs", run + "} " + run + "}", 400, "body"),
                json("unknown split on a run", "POST", "/training-runs", "{\"dataset\":\"" + ds
                        + "\",\"splitId\":\"nope\"}", 404, "splitId"),
                json("token with a space", "POST", "/training-runs", run + ",\"clientToken\":\"has space\"}", 400,
                        "clientToken"),
                json("5 KB run id", "GET", "/training-runs/" + longName, null, 404, "runId"),
                json("'#' run id", "GET", "/training-runs/a%23b", null, 404, "runId"),
                json("DELETE on runs", "DELETE", "/training-runs", null, 405, "method")));
        assertTrue(cases.size() >= 50, cases.size() + " cases");
        HostileRequests.run("api", cases);
    }

}
