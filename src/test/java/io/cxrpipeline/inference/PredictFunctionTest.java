package io.cxrpipeline.inference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.notNullValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The {@code predict} Lambda through the mock event server, with the model promoted the way production does
 * it: model.onnx in S3 (S3Proxy) and the PROMOTED pointer in DynamoDB (dynalite).
 */
@QuarkusTest
@TestProfile(PredictFunctionTest.PredictProfile.class)
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PredictFunctionTest {

    /** Exports {@code predict}; re-reads the pointer on every request so a promotion shows at once. */
    public static class PredictProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "predict",
                    "cxr.inference.refresh-seconds", "0",
                    "cxr.inference.load-at-startup", "false",
                    "cxr.inference.cache-dir", "target/model-cache/" + UUID.randomUUID());
        }
    }

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String V1 = "test-v1";
    static final String V2 = "test-v2";

    static byte[] resource(String path) {
        try (InputStream in = PredictFunctionTest.class.getClassLoader().getResourceAsStream(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The committed API Gateway event with another body. */
    static String event(String contentType, String body, boolean base64) {
        try {
            ObjectNode e = (ObjectNode) MAPPER.readTree(resource("events/predict-image.json"));
            ObjectNode headers = (ObjectNode) e.get("headers");
            if (contentType == null) {
                headers.remove("content-type");
            } else {
                headers.put("content-type", contentType);
            }
            headers.put("content-length", String.valueOf(body.length()));
            e.put("body", body);
            e.put("isBase64Encoded", base64);
            return MAPPER.writeValueAsString(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static String image(String contentType, byte[] bytes) {
        return event(contentType, Base64.getEncoder().encodeToString(bytes), true);
    }

    static String json(String body) {
        return event("application/json", body, false);
    }

    static ValidatableResponse invoke(String event) {
        return given().contentType("application/json").body(event).when().post().then().statusCode(200);
    }

    /** The HTTP API response's body, parsed. */
    static JsonPath body(ValidatableResponse r) {
        return new JsonPath(r.extract().path("body").toString());
    }

    static void promote(String version, String fixture) {
        String key = "models/" + version + "/model.onnx";
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key(key),
                RequestBody.fromBytes(Fixtures.bytes(fixture)));
        Emulators.get().dynamo().putItem(b -> b.tableName(Emulators.TABLE).item(Map.of(
                TableKeys.PK, AttributeValue.fromS("MODEL"),
                TableKeys.SK, AttributeValue.fromS("PROMOTED"),
                "version", AttributeValue.fromS(version),
                "modelUri", AttributeValue.fromS("s3://" + Emulators.BUCKET + "/" + key),
                "promotedAt", AttributeValue.fromS(Instant.now().toString()))));
    }

    static void problem(ValidatableResponse r, int status, String field, String detail) {
        r.body("statusCode", equalTo(status)).body("headers.content-type", equalTo("application/problem+json"));
        JsonPath p = body(r);
        if (field != null) {
            org.hamcrest.MatcherAssert.assertThat(p.getString("field"), equalTo(field));
        }
        org.hamcrest.MatcherAssert.assertThat(p.getString("detail"), containsString(detail));
        org.hamcrest.MatcherAssert.assertThat(p.getInt("status"), equalTo(status));
    }

    @BeforeEach
    void promoteV1(TestInfo test) {
        if (!test.getTestMethod().map(m -> m.getName().equals("withoutAPromotedModelPredictIsA503")).orElse(false)) {
            promote(V1, "tiny-vgg.onnx");
        }
    }

    @Test
    @Order(1)
    void withoutAPromotedModelPredictIsA503() {
        Emulators.get().dynamo().deleteItem(b -> b.tableName(Emulators.TABLE).key(Map.of(
                TableKeys.PK, AttributeValue.fromS("MODEL"), TableKeys.SK, AttributeValue.fromS("PROMOTED"))));
        problem(invoke(image("image/jpeg", Fixtures.bytes("xray-gray.jpg"))), 503, null, "the model cannot be reached right now");
    }

    @Test
    @Order(2)
    void theCommittedEventIsPredictedByThePromotedModel() {
        ValidatableResponse r = invoke(new String(resource("events/predict-image.json")));
        r.body("statusCode", equalTo(200)).body("headers.content-type", equalTo("application/json"));
        JsonPath p = body(r);
        org.hamcrest.MatcherAssert.assertThat(p.getString("label"), oneOf("NORMAL", "PNEUMONIA"));
        org.hamcrest.MatcherAssert.assertThat(p.getString("modelVersion"), equalTo(V1));
        org.hamcrest.MatcherAssert.assertThat(p.getDouble("threshold"), closeTo(0.5, 1e-9));
        org.hamcrest.MatcherAssert.assertThat(p.getDouble("probabilities.NORMAL") + p.getDouble("probabilities.PNEUMONIA"),
                closeTo(1.0, 1e-6));
        org.hamcrest.MatcherAssert.assertThat(p.get("timings.inferenceMs"), notNullValue());
        org.hamcrest.MatcherAssert.assertThat(p.get("timings.decodeMs"), notNullValue());
        org.hamcrest.MatcherAssert.assertThat(p.getInt("image.width"), equalTo(160));
    }

    @Test
    void jpegBytesAreScoredAsPyTorchScoresThem() {
        JsonPath p = body(invoke(image("image/jpeg", Fixtures.bytes("xray-gray.jpg"))).body("statusCode", equalTo(200)));
        double[] expected = PredictionServiceTest.pytorch()[0];
        org.hamcrest.MatcherAssert.assertThat(p.getDouble("probabilities.PNEUMONIA"), closeTo(expected[1], 1e-3));
        org.hamcrest.MatcherAssert.assertThat(p.getString("image.format"), equalTo("jpeg"));
    }

    @Test
    void pngBytesAreScoredAsPyTorchScoresThem() {
        JsonPath p = body(invoke(image("image/png", Fixtures.bytes("xray-rgb.png"))).body("statusCode", equalTo(200)));
        double[] expected = PredictionServiceTest.pytorch()[2];
        org.hamcrest.MatcherAssert.assertThat(p.getDouble("probabilities.PNEUMONIA"), closeTo(expected[1], 1e-3));
        org.hamcrest.MatcherAssert.assertThat(p.getString("image.format"), equalTo("png"));
    }

    @Test
    void base64JsonImageIsPredicted() {
        String b64 = Base64.getEncoder().encodeToString(Fixtures.bytes("xray-gray.png"));
        JsonPath p = body(invoke(json("{\"image\":\"" + b64 + "\"}")).body("statusCode", equalTo(200)));
        org.hamcrest.MatcherAssert.assertThat(p.getString("modelVersion"), equalTo(V1));
    }

    @Test
    void anImageInTheBucketIsPredictedByS3Uri() {
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key("images/demo/test/NORMAL/person9_x.png"),
                RequestBody.fromBytes(Fixtures.bytes("xray-gray.png")));
        JsonPath p = body(invoke(json("{\"s3Uri\":\"s3://" + Emulators.BUCKET + "/images/demo/test/NORMAL/person9_x.png\"}"))
                .body("statusCode", equalTo(200)));
        org.hamcrest.MatcherAssert.assertThat(p.get("timings.fetchMs"), notNullValue());
    }

    /** xray-gray.png as an 8-bit DICOM radiograph whose window (128/256) maps each stored value to itself. */
    static byte[] dicomOfGrayPng() {
        try {
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                    Fixtures.bytes("xray-gray.png")));
            int w = img.getWidth();
            int h = img.getHeight();
            int[] px = new int[w * h];
            img.getRaster().getSamples(0, 0, w, h, 0, px);
            return io.cxrpipeline.local.sample.DicomWriter.radiograph(
                    io.cxrpipeline.local.sample.DicomWriter.IMPLICIT_VR_LE, w, h, px, 8, 8, false, "MONOCHROME2")
                    .put(0x00281050, "DS", "128").put(0x00281051, "DS", "256").toBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aDicomBodyBase64OrS3UriIsScoredAsItsGreyImage() {
        JsonPath png = body(invoke(image("image/png", Fixtures.bytes("xray-gray.png"))).body("statusCode", equalTo(200)));
        byte[] dcm = dicomOfGrayPng();
        JsonPath body = body(invoke(image("application/dicom", dcm)).body("statusCode", equalTo(200)));
        org.hamcrest.MatcherAssert.assertThat(body.getString("image.format"), equalTo("dicom"));
        org.hamcrest.MatcherAssert.assertThat(body.getDouble("probabilities.PNEUMONIA"),
                closeTo(png.getDouble("probabilities.PNEUMONIA"), 1e-4));
        JsonPath b64 = body(invoke(json("{\"image\":\"" + Base64.getEncoder().encodeToString(dcm) + "\"}"))
                .body("statusCode", equalTo(200)));
        org.hamcrest.MatcherAssert.assertThat(b64.getDouble("probabilities.PNEUMONIA"),
                closeTo(png.getDouble("probabilities.PNEUMONIA"), 1e-4));
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key("images/demo/test/NORMAL/x.dcm"),
                RequestBody.fromBytes(dcm));
        JsonPath s3 = body(invoke(json("{\"s3Uri\":\"s3://" + Emulators.BUCKET + "/images/demo/test/NORMAL/x.dcm\"}"))
                .body("statusCode", equalTo(200)));
        org.hamcrest.MatcherAssert.assertThat(s3.getDouble("probabilities.PNEUMONIA"),
                closeTo(png.getDouble("probabilities.PNEUMONIA"), 1e-4));
    }

    @Test
    void aDicomOfAnotherModalityIsA400NamingTheReason() {
        problem(invoke(image("application/dicom", io.cxrpipeline.ingest.TestImages.dicom())), 400, "body",
                io.cxrpipeline.ingest.TestImages.DICOM_REASON);
    }

    @Test
    void aBatchMixesBase64AndS3UriAndAnswersInOrder() {
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key("images/demo/NORMAL/b.jpeg"),
                RequestBody.fromBytes(Fixtures.bytes("xray-gray.jpg")));
        String png = Base64.getEncoder().encodeToString(Fixtures.bytes("xray-gray.png"));
        String rgb = Base64.getEncoder().encodeToString(Fixtures.bytes("xray-rgb.png"));
        JsonPath p = body(invoke(json("{\"images\":[\"" + png + "\",{\"s3Uri\":\"s3://" + Emulators.BUCKET
                + "/images/demo/NORMAL/b.jpeg\"},{\"image\":\"" + rgb + "\"}]}")).body("statusCode", equalTo(200)));
        org.hamcrest.MatcherAssert.assertThat(p.getList("predictions"), hasSize(3));
        org.hamcrest.MatcherAssert.assertThat(p.getString("predictions[0].image.format"), equalTo("png"));
        org.hamcrest.MatcherAssert.assertThat(p.getString("predictions[1].image.format"), equalTo("jpeg"));
        org.hamcrest.MatcherAssert.assertThat(p.getInt("predictions[2].image.width"), equalTo(320));
        org.hamcrest.MatcherAssert.assertThat(p.get("predictions[2].timings.inferenceMs"), notNullValue());
        org.hamcrest.MatcherAssert.assertThat(p.getString("modelVersion"), equalTo(V1));
    }

    @Test
    void aNewPromotionIsServedWithoutARestart() {
        promote(V2, "tiny-vgg-int8.onnx");
        JsonPath p = body(invoke(image("image/jpeg", Fixtures.bytes("xray-gray.jpg"))).body("statusCode", equalTo(200)));
        org.hamcrest.MatcherAssert.assertThat(p.getString("modelVersion"), equalTo(V2));
    }

    @Test
    void bytesThatAreNoImageAreA400() {
        problem(invoke(image("image/jpeg", "this is not an image".getBytes())), 400, "body", "not a JPEG, PNG or DICOM");
    }

    @Test
    void zeroBytesAreA400() {
        problem(invoke(event("image/jpeg", "", true)), 400, "body", "empty");
    }

    @Test
    void aTruncatedJpegIsA400() {
        byte[] jpeg = Fixtures.bytes("xray-gray.jpg");
        problem(invoke(image("image/jpeg", Arrays.copyOf(jpeg, jpeg.length / 3))), 400, "body", "truncated");
    }

    @Test
    void aPngDeclaring100000x100000IsRefusedFromItsHeader() {
        problem(invoke(image("image/png", ImageHeaderTest.pngHeader(100_000, 100_000))), 400, "body",
                "100000x100000");
    }

    @Test
    void aBodyOverTheLambdaPayloadLimitIsA413() {
        byte[] big = new byte[5 * 1024 * 1024]; // 6.7 MB once base64-encoded, as API Gateway delivers it
        big[0] = (byte) 0xff;
        big[1] = (byte) 0xd8;
        problem(invoke(image("image/jpeg", big)), 413, "body", "at most 6291456");
    }

    @Test
    void badBase64IsA400NamingTheField() {
        problem(invoke(json("{\"image\":\"%%%not base64%%%\"}")), 400, "image", "base64");
    }

    @Test
    void anS3UriOutsideTheBucketIsA400() {
        problem(invoke(json("{\"s3Uri\":\"s3://another-bucket/images/x.jpeg\"}")), 400, "s3Uri", "only objects in");
    }

    @Test
    void aMissingS3ObjectIsA404() {
        problem(invoke(json("{\"s3Uri\":\"s3://" + Emulators.BUCKET + "/images/none/NORMAL/missing.jpeg\"}")), 404,
                "s3Uri", "no image at");
    }

    @Test
    void aBatchOfSeventeenIsA400() {
        String png = "\"" + Base64.getEncoder().encodeToString(Fixtures.bytes("xray-gray.png")) + "\"";
        problem(invoke(json("{\"images\":[" + String.join(",", java.util.Collections.nCopies(17, png)) + "]}")), 400,
                "images", "at most 16");
    }

    @Test
    void aBadBatchElementIsNamed() {
        problem(invoke(json("{\"images\":[{\"url\":\"http://x\"}]}")), 400, "images[0]", "base64 string");
    }

    @Test
    void unknownJsonFieldsAreA400() {
        problem(invoke(json("{\"imageUrl\":\"http://x\"}")), 400, "imageUrl", "imageUrl");
    }

    @Test
    void twoSourcesAtOnceAreA400() {
        problem(invoke(json("{\"image\":\"AAAA\",\"s3Uri\":\"s3://" + Emulators.BUCKET + "/x\"}")), 400, "body",
                "exactly one");
    }

    @Test
    void otherMethodsOnPredictAreA405() {
        String e = image("image/jpeg", Fixtures.bytes("xray-gray.jpg")).replace("\"POST\"", "\"GET\"");
        invoke(e).body("statusCode", equalTo(405));
    }
}
