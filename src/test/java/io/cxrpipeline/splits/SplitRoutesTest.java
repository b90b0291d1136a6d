package io.cxrpipeline.splits;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.catalog.ImageItemWriter;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class SplitRoutesTest {

    private static final String KERMANY = "split-route-kermany";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static boolean indexed;

    @Inject
    CatalogConfig catalog;

    private synchronized void indexKermanySizeDataset() {
        if (!indexed) {
            ImageItemWriter.putAll(Emulators.get().dynamo(), Emulators.TABLE,
                    SyntheticIndex.kermanyLike(KERMANY, SyntheticIndex.KERMANY_IMAGES, 2026), catalog.shards());
            indexed = true;
        }
    }

    private static JsonNode proxy(String event) throws Exception {
        return MAPPER.readTree(given().contentType("application/json").body(event).when().post()
                .then().statusCode(200).extract().asString());
    }

    private static Map<String, byte[]> files(String prefix) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : SummaryBuilder.FILES) {
            files.put(name, Emulators.get().s3()
                    .getObjectAsBytes(b -> b.bucket(Emulators.BUCKET).key(prefix + name)).asByteArray());
        }
        return files;
    }

    @Test
    void aSplitIsCreatedOnceThenReturnedAsItIsWithByteIdenticalManifests() throws Exception {
        indexKermanySizeDataset();
        String event = ApiEvents.load("api-create-split.json", KERMANY);

        JsonNode first = proxy(event);
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        JsonNode body = MAPPER.readTree(first.get("body").asText());
        String splitId = body.get("splitId").asText();
        assertEquals("/datasets/" + KERMANY + "/splits/" + splitId, first.at("/headers/location").asText());
        assertEquals("s3://" + Emulators.BUCKET + "/manifests/" + KERMANY + "/" + splitId + "/train.jsonl",
                body.at("/manifests/train/jsonl").asText());
        JsonNode summary = body.get("summary");
        assertEquals(SyntheticIndex.KERMANY_IMAGES, summary.at("/index/images").asLong());
        assertTrue(summary.at("/leakage/passed").asBoolean());
        assertTrue(summary.at("/ratioDeviation/maxPercentagePoints").asDouble() <= 1.0);
        assertEquals(summary.at("/splits/train/classes/0/after").asLong(),
                summary.at("/splits/train/classes/1/after").asLong(), "train is balanced");

        String prefix = "manifests/" + KERMANY + "/" + splitId + "/";
        Map<String, byte[]> written = files(prefix);
        String train = new String(written.get("train.jsonl"), StandardCharsets.UTF_8);
        assertEquals(summary.at("/splits/train/rows").asLong(), train.lines().count());
        assertEquals(summary.toString(), MAPPER.readTree(written.get("summary.json")).toString());

        JsonNode second = proxy(event);
        assertEquals(200, second.get("statusCode").asInt(), "a repeated request returns the existing split");
        assertEquals(first.get("body").asText(), second.get("body").asText());
        assertEquals(first.at("/headers/location"), second.at("/headers/location"));
        Map<String, byte[]> again = files(prefix);
        for (String name : written.keySet()) {
            assertArrayEquals(written.get(name), again.get(name), name);
        }

        JsonNode fetched = proxy(ApiEvents.withSplitId(ApiEvents.load("api-get-split.json", KERMANY), splitId));
        assertEquals(200, fetched.get("statusCode").asInt());
        assertEquals(first.get("body").asText(), fetched.get("body").asText());

        checkWithPandas(written);
    }

    /** Loads the CSVs as flow_from_dataframe would get them and the JSON Lines as an augmented manifest. */
    private static void checkWithPandas(Map<String, byte[]> files) throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/python3").canExecute(), "Debian's python3 with pandas");
        Path dir = Files.createTempDirectory("manifests");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        Process check = new ProcessBuilder("/usr/bin/python3", "src/test/python/check_manifests.py", dir.toString(),
                "NORMAL", "PNEUMONIA").redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
        assertTrue(output.contains("\"ok\": true"), output);
    }

    @Test
    void ratiosThatDoNotSumToOneAreA400NamingRatios() throws Exception {
        JsonNode r = proxy(ApiEvents.withBody(ApiEvents.load("api-create-split.json", KERMANY),
                "{\"ratios\":{\"train\":0.5,\"val\":0.2,\"test\":0.2}}"));
        assertEquals(400, r.get("statusCode").asInt());
        assertEquals("application/problem+json", r.at("/headers/content-type").asText());
        JsonNode problem = MAPPER.readTree(r.get("body").asText());
        assertEquals("ratios", problem.get("field").asText());
        assertTrue(problem.get("detail").asText().contains("sum to 1"));
    }

    @Test
    void anUnknownStrategyIsA400NamingBalance() throws Exception {
        JsonNode r = proxy(ApiEvents.withBody(ApiEvents.load("api-create-split.json", KERMANY),
                "{\"balance\":\"smote\"}"));
        assertEquals(400, r.get("statusCode").asInt());
        assertEquals("balance", MAPPER.readTree(r.get("body").asText()).get("field").asText());
    }

    @Test
    void aDatasetWithoutIndexedImagesIsA404() throws Exception {
        JsonNode r = proxy(ApiEvents.load("api-create-split.json", "never-uploaded"));
        assertEquals(404, r.get("statusCode").asInt());
    }

    @Test
    void aClassWithTooFewPatientsIsA422NamingTheClassAndItsGroups() throws Exception {
        String dataset = "split-route-few-patients";
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(SplitServiceTest.image("PNEUMONIA/p" + i + ".jpeg", "PNEUMONIA", "p" + i, "c-p" + i));
            records.add(SplitServiceTest.image("NORMAL/n" + i + ".jpeg", "NORMAL", "n" + (i % 2), "c-n" + i));
        }
        records.replaceAll(r -> SplitServiceTest.image(dataset, r.imageId(), r.label(), r.patient(), r.contentId()));
        ImageItemWriter.putAll(Emulators.get().dynamo(), Emulators.TABLE, records, catalog.shards());
        JsonNode r = proxy(ApiEvents.load("api-create-split.json", dataset));
        assertEquals(422, r.get("statusCode").asInt());
        String detail = MAPPER.readTree(r.get("body").asText()).get("detail").asText();
        assertTrue(detail.contains("class NORMAL has 2 groups"), detail);
    }

    @Test
    void anUnknownSplitIsA404() throws Exception {
        assertEquals(404, proxy(ApiEvents.load("api-get-split.json", KERMANY)).get("statusCode").asInt());
        assertEquals(404, proxy(ApiEvents.withSplitId(ApiEvents.load("api-get-split.json", KERMANY), "not-an-id"))
                .get("statusCode").asInt());
    }

    /** Polls a split job's Location until it is no longer 202. */
    private static JsonNode poll(String location) throws Exception {
        String jobId = location.substring(location.lastIndexOf('/') + 1);
        String dataset = location.split("/")[2];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            JsonNode r = proxy(ApiEvents.withSplitId(ApiEvents.load("api-get-split.json", dataset), jobId));
            if (r.get("statusCode").asInt() != 202) {
                return r;
            }
            String status = MAPPER.readTree(r.get("body").asText()).get("status").asText();
            assertTrue(status.equals("PENDING") || status.equals("RUNNING"), status);
            assertTrue(System.nanoTime() < deadline, "the split job did not finish");
            Thread.sleep(100);
        }
    }

    @Test
    void anAsynchronousSplitIsAcceptedThenPolledToTheSplitTheSynchronousRequestReturns() throws Exception {
        indexKermanySizeDataset();
        String event = ApiEvents.withBody(ApiEvents.load("api-create-split.json", KERMANY),
                "{\"seed\":20260,\"balance\":\"undersample\"}");

        JsonNode accepted = proxy(ApiEvents.withHeader(event, "prefer", "respond-async"));
        assertEquals(202, accepted.get("statusCode").asInt(), accepted.toString());
        JsonNode job = MAPPER.readTree(accepted.get("body").asText());
        String location = accepted.at("/headers/location").asText();
        assertEquals("/datasets/" + KERMANY + "/splits/" + job.get("jobId").asText(), location);
        assertEquals(SplitJobService.JOB_ID_HEX_DIGITS, job.get("jobId").asText().length());

        JsonNode done = poll(location);
        assertEquals(200, done.get("statusCode").asInt(), done.toString());
        JsonNode split = MAPPER.readTree(done.get("body").asText());
        assertEquals("/datasets/" + KERMANY + "/splits/" + split.get("splitId").asText(),
                done.at("/headers/location").asText());

        JsonNode synchronous = proxy(event);
        assertEquals(200, synchronous.get("statusCode").asInt(), "the job made the very split a request would");
        assertEquals(synchronous.get("body").asText(), done.get("body").asText());
    }

    @Test
    void anAsynchronousSplitOfAnUnknownDatasetIsPolledToA404() throws Exception {
        JsonNode accepted = proxy(ApiEvents.withHeader(ApiEvents.load("api-create-split.json", "never-uploaded-async"),
                "prefer", "respond-async"));
        assertEquals(202, accepted.get("statusCode").asInt(), accepted.toString());
        JsonNode done = poll(accepted.at("/headers/location").asText());
        assertEquals(404, done.get("statusCode").asInt(), done.toString());
        assertEquals("application/problem+json", done.at("/headers/content-type").asText());
        assertTrue(MAPPER.readTree(done.get("body").asText()).get("detail").asText().contains("never-uploaded-async"));
    }

    @Test
    void aSplitJobEventFromApiGatewayIsAnOrdinaryRequest() throws Exception {
        // API Gateway always sends a request context, so a client's x-cxr-split-job header runs no job.
        JsonNode r = proxy(ApiEvents.withHeader(ApiEvents.load("api-create-split.json", "never-uploaded"),
                SplitJobEvent.HEADER, "0".repeat(SplitJobService.JOB_ID_HEX_DIGITS)));
        assertEquals(404, r.get("statusCode").asInt());
        assertTrue(MAPPER.readTree(r.get("body").asText()).get("detail").asText().contains("no indexed images"));
    }
}
