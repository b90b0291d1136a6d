package io.cxrpipeline.distribution;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.catalog.ImageItemWriter;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.splits.ApiEvents;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class DistributionRouteTest {

    @Inject
    CatalogConfig catalog;

    @Test
    void countsWhatTheIndexHoldsThroughTheHttpApiEvent() {
        String dataset = "distribution-route";
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 37; i++) {
            records.add(DistributionServiceTest.image(dataset, "train/NORMAL/n" + i + ".jpeg", "NORMAL", null, "train",
                    ImageStatus.INDEXED));
        }
        for (int i = 0; i < 61; i++) {
            records.add(DistributionServiceTest.image(dataset, "test/PNEUMONIA/p" + i + "_virus.jpeg", "PNEUMONIA",
                    i % 3 == 0 ? "virus" : "bacteria", "test", ImageStatus.INDEXED));
        }
        records.add(DistributionServiceTest.image(dataset, "NORMAL/broken.jpeg", null, null, null, ImageStatus.REJECTED));
        records.add(DistributionServiceTest.image(dataset, "NORMAL/copy.jpeg", "NORMAL", null, null,
                ImageStatus.DUPLICATE));
        ImageItemWriter.putAll(Emulators.get().dynamo(), Emulators.TABLE, records, catalog.shards());

        String response = given().contentType("application/json")
                .body(ApiEvents.load("api-distribution.json", dataset))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(200))
                .body("headers.content-type", equalTo("application/json"))
                .extract().asString();
        JsonNode body = ApiEvents.body(response);
        assertEquals(98, body.get("images").asLong());
        assertEquals(37, body.at("/byClass/NORMAL").asLong());
        assertEquals(61, body.at("/byClass/PNEUMONIA").asLong());
        assertEquals(1, body.at("/byStatus/REJECTED").asLong());
        assertEquals(1, body.at("/byStatus/DUPLICATE").asLong());
        assertEquals("bacteria", body.at("/bySubtype/1/subtype").asText());
        assertEquals(40, body.at("/bySubtype/1/images").asLong());
        assertEquals("train", body.at("/byOriginalSplit/0/originalSplit").asText());
        assertEquals((61.0 - 37) / 98, body.at("/imbalance/classImbalance").asDouble(), 1e-12);
    }

    @Test
    void anUnknownDatasetIsA404Problem() {
        String response = given().contentType("application/json")
                .body(ApiEvents.load("api-distribution.json", "never-uploaded"))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(404))
                .body("headers.content-type", equalTo("application/problem+json"))
                .extract().asString();
        assertEquals(404, ApiEvents.body(response).get("status").asInt());
    }
}
