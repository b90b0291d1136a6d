package io.cxrpipeline.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxrpipeline.catalog.aws.ImageItems;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@code POST /datasets/{dataset}/reindex} through the {@code api} function, against the emulators. */
@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class ReindexRouteTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String ds = "rx-" + UUID.randomUUID().toString().substring(0, 8);

    private static Response call(String dataset, String body) {
        ObjectNode event = MAPPER.createObjectNode();
        String path = "/datasets/" + dataset + "/reindex";
        event.put("version", "2.0").put("routeKey", "POST /datasets/{dataset}/reindex").put("rawPath", path)
                .put("isBase64Encoded", false);
        if (body != null) {
            event.put("body", body);
        }
        event.putObject("headers").put("content-type", "application/json");
        event.putObject("requestContext").putObject("http").put("method", "POST").put("path", path);
        return given().contentType("application/json").body(event.toString()).when().post();
    }

    private void upload(String imageId, byte[] bytes) {
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key("images/" + ds + "/" + imageId),
                RequestBody.fromBytes(bytes));
    }

    private Map<String, AttributeValue> item(String imageId) {
        return Emulators.get().dynamo().getItem(b -> b.tableName(Emulators.TABLE).consistentRead(true)
                .key(ImageItems.key(ds, imageId))).item();
    }

    @Test
    void repeatedCallsWithTheTokenIndexEverythingOnceAndThenNothing() throws Exception {
        for (int i = 0; i < 7; i++) {
            upload("train/NORMAL/IM-%04d-0001.jpeg".formatted(i), TestImages.jpeg(120, 100, i));
        }
        upload("train/NORMAL/broken.jpeg", TestImages.text("nope"));
        String token = null;
        int calls = 0;
        int indexed = 0;
        int scanned = 0;
        JsonNode body;
        do {
            String request = token == null ? "{\"limit\":3}" : "{\"limit\":3,\"continuationToken\":\"" + token + "\"}";
            Response r = call(ds, request);
            r.then().statusCode(200).body("statusCode", equalTo(202));
            body = MAPPER.readTree(r.jsonPath().getString("body"));
            token = body.path("continuationToken").asText(null);
            indexed += body.get("indexed").asInt();
            scanned += body.get("scanned").asInt();
            calls++;
        } while (!body.get("done").asBoolean() && calls < 10);
        assertEquals(3, calls);
        assertEquals(8, scanned);
        assertEquals(8, indexed);
        assertEquals("INDEXED", item("train/NORMAL/IM-0003-0001.jpeg").get("status").s());
        assertEquals("not an image", item("train/NORMAL/broken.jpeg").get("reason").s());

        Response again = call(ds, null);
        JsonNode second = MAPPER.readTree(again.jsonPath().getString("body"));
        assertEquals(0, second.get("indexed").asInt());
        assertEquals(8, second.get("skipped").asInt());
        assertTrue(second.get("done").asBoolean());
    }

    @Test
    void datasetWithoutObjectsIs404() {
        call("nothing-" + ds, "{}").then().statusCode(200).body("statusCode", equalTo(404))
                .body("headers.content-type", equalTo("application/problem+json"));
    }

    @Test
    void foreignOrGarbledTokenIs400NamingTheField() {
        upload("NORMAL/a.jpeg", TestImages.jpeg(50, 50, 1));
        call(ds, "{\"continuationToken\":\"" + ReindexRoute.encode("other", "x") + "\"}").then()
                .body("statusCode", equalTo(400)).body("body", containsString("\"field\":\"continuationToken\""));
        call(ds, "{\"continuationToken\":\"%%%\"}").then()
                .body("statusCode", equalTo(400)).body("body", containsString("continuationToken"));
    }

    @Test
    void unknownFieldIs400() {
        call(ds, "{\"contnuationToken\":\"x\"}").then().body("statusCode", equalTo(400))
                .body("body", containsString("contnuationToken"));
    }
}
