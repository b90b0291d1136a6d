package io.cxrpipeline.deploy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxrpipeline.inference.InputKeys;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * {@code predict} reads an {@code s3Uri} only under {@code cxr.inference.input-prefixes} (default {@code images/},
 * the prefixes its role may read in template.yaml), and never a key with an empty, {@code .} or {@code ..} segment:
 * anything else is a 400 naming the field, before S3 is asked.
 */
@QuarkusTest
@TestProfile(PredictSnapStartProfile.class)
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class PredictInputKeysTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String BUCKET = "s3://" + Emulators.BUCKET + "/";

    /** The committed API Gateway event of an s3Uri request, with another body; its status, field and detail. */
    static JsonPath predict(String body) throws IOException {
        ObjectNode event;
        try (InputStream in = PredictInputKeysTest.class.getClassLoader()
                .getResourceAsStream("events/predict-s3uri.json")) {
            event = (ObjectNode) MAPPER.readTree(in);
        }
        event.put("body", body);
        String response = given().contentType("application/json").body(MAPPER.writeValueAsString(event))
                .when().post().then().statusCode(200).extract().asString();
        JsonPath envelope = new JsonPath(response);
        JsonPath problem = new JsonPath(envelope.getString("body"));
        assertEquals(envelope.getInt("statusCode"), problem.getInt("status"));
        return problem;
    }

    static void refused(String s3Uri, String detail) throws IOException {
        JsonPath p = predict("{\"s3Uri\":\"" + s3Uri + "\"}");
        assertEquals(400, p.getInt("status"), s3Uri);
        assertEquals("s3Uri", p.getString("field"));
        assertThat(p.getString("detail"), containsString(detail));
    }

    @Test
    void keysOutsideTheInputPrefixesAreA400() throws IOException {
        refused(BUCKET + "models/v1/model.onnx", "only keys under images/");
        refused(BUCKET + "manifests/chest_xray/abc/train.csv", "only keys under images/");
        refused(BUCKET + "imagesX/demo/NORMAL/a.jpeg", "only keys under images/");
    }

    @Test
    void dotDotDotAndEmptySegmentsAreA400() throws IOException {
        refused(BUCKET + "images/../models/v1/model.onnx", "segment");
        refused(BUCKET + "images/./demo/a.jpeg", "segment");
        refused(BUCKET + "images//demo/a.jpeg", "segment");
        refused(BUCKET + "images/demo/", "segment");
    }

    @Test
    void aBatchNamesTheRefusedElement() throws IOException {
        String png;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("models/xray-gray.png")) {
            png = Base64.getEncoder().encodeToString(in.readAllBytes());
        }
        JsonPath p = predict("{\"images\":[\"" + png + "\",{\"s3Uri\":\"" + BUCKET + "training-runs/r1/model.onnx\"}]}");
        assertEquals(400, p.getInt("status"));
        assertThat(p.getString("field"), equalTo("images[1].s3Uri"));
    }

    @Test
    void aKeyUnderAnInputPrefixReachesS3() throws IOException {
        JsonPath p = predict("{\"s3Uri\":\"" + BUCKET + "images/none/NORMAL/missing.jpeg\"}");
        assertEquals(404, p.getInt("status"), "allowed, and then not found in S3");
    }

    @Test
    void theRuleItself() {
        List<String> images = List.of("images/");
        assertNull(InputKeys.refusal("images/chest_xray/train/NORMAL/IM-0001.jpeg", images));
        assertNull(InputKeys.refusal("scans/a.png", List.of("images/", "scans/")));
        assertThat(InputKeys.refusal("scans/a.png", images), containsString("only keys under images/"));
        assertThat(InputKeys.refusal("images/..", images), containsString("segment"));
        assertThat(InputKeys.refusal("images/a/../../b", images), containsString("segment"));
        assertNull(InputKeys.refusal("images/a..b/c.jpeg", images), "dots inside a segment are a plain name");
    }
}
