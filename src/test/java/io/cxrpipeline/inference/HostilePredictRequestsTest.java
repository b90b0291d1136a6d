package io.cxrpipeline.inference;

import static io.cxrpipeline.api.HostileRequests.Case.json;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.api.HostileRequests;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.ingest.TestImages;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Hostile requests through the {@code predict} function while no model is promoted: every bad image or body is
 * the expected 4xx problem+json naming the field (a permanently bad image is a 400 whatever the model's state),
 * none is a 5xx.
 */
@QuarkusTest
@TestProfile(HostilePredictRequestsTest.NoModel.class)
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class HostilePredictRequestsTest {

    /** {@link PredictFunctionTest}'s profile in an application of its own, which has never loaded a model. */
    public static class NoModel extends PredictFunctionTest.PredictProfile {
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static HostileRequests.Case image(String name, String contentType, byte[] bytes, int status, String field) {
        return new HostileRequests.Case(name, "POST", "/predict", contentType, b64(bytes), true, status, field);
    }

    @Test
    void everyHostileRequestIsAProblemNamingTheFieldAndNoneIsA5xx() {
        Emulators.get().dynamo().deleteItem(b -> b.tableName(Emulators.TABLE).key(Map.of(
                TableKeys.PK, AttributeValue.fromS("MODEL"), TableKeys.SK, AttributeValue.fromS("PROMOTED"))));
        byte[] jpeg = TestImages.jpeg(256, 256, 3);
        byte[] png = TestImages.png(64, 64, java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 3);
        byte[] truncatedJpeg = TestImages.cut(jpeg, jpeg.length / 2);
        byte[] truncatedPng = TestImages.cut(png, png.length / 2);
        String bucket = Emulators.BUCKET;
        List<HostileRequests.Case> cases = new ArrayList<>(List.of(
                image("a truncated JPEG body", "image/jpeg", truncatedJpeg, 400, "body"),
                image("a truncated PNG body", "image/png", truncatedPng, 400, "body"),
                image("text as an image", "image/jpeg", "hello".getBytes(), 400, "body"),
                image("an empty image", "image/jpeg", new byte[0], 400, "body"),
                image("a 100000x100000 PNG header", "image/png", TestImages.pngHeaderOnly(100_000, 100_000), 400,
                        "body"),
                image("a DICOM file", "application/octet-stream", TestImages.dicom(), 400, "body"),
                json("a truncated JPEG as base64", "POST", "/predict", "{\"image\":\"" + b64(truncatedJpeg) + "\"}",
                        400, "image"),
                json("a truncated JPEG in a batch", "POST", "/predict", "{\"images\":[\"" + b64(png) + "\",{\"image\":\""
                        + b64(truncatedJpeg) + "\"}]}", 400, "images[1].image"),
                json("not base64", "POST", "/predict", "{\"image\":\"not base64!\"}", 400, "image"),
                json("a data URL that is not base64", "POST", "/predict", "{\"image\":\"data:image/png,abc\"}", 400,
                        "image"),
                json("an empty batch", "POST", "/predict", "{\"images\":[]}", 400, "images"),
                json("a number in a batch", "POST", "/predict", "{\"images\":[1]}", 400, "images[0]"),
                json("a batch as a string", "POST", "/predict", "{\"images\":\"x\"}", 400, "images"),
                json("image and s3Uri", "POST", "/predict", "{\"image\":\"" + b64(png) + "\",\"s3Uri\":\"s3://" + bucket
                        + "/x.png\"}", 400, "body"),
                json("an empty object", "POST", "/predict", "{}", 400, "body"),
                json("two documents", "POST", "/predict", "{\"image\":\"" + b64(png) + "\"} {\"image\":\"x\"}", 400,
                        "body"),
                json("a misspelt field", "POST", "/predict", "{\"imagez\":\"x\"}", 400, "imagez"),
                json("image as a number", "POST", "/predict", "{\"image\":5}", 400, "image"),
                json("another bucket", "POST", "/predict", "{\"s3Uri\":\"s3://someone-else/x.jpeg\"}", 400, "s3Uri"),
                json("not an s3 URI", "POST", "/predict", "{\"s3Uri\":\"http://x/y.jpeg\"}", 400, "s3Uri"),
                json("a missing object", "POST", "/predict", "{\"s3Uri\":\"s3://" + bucket + "/images/nope-" + UUID.randomUUID()
                        + ".jpeg\"}", 404, "s3Uri"),
                json("17 images", "POST", "/predict", "{\"images\":[" + String.join(",",
                        java.util.Collections.nCopies(17, "\"" + b64(png) + "\"")) + "]}", 400, "images"),
                json("a deep batch", "POST", "/predict", "{\"images\":" + "[".repeat(60) + "]".repeat(60) + "}", 400,
                        "images[0]"),
                json("an array body", "POST", "/predict", "[1]", 400, "body"),
                json("an empty JSON body", "POST", "/predict", "", 400, "body"),
                json("GET on predict", "GET", "/predict", null, 405, "method"),
                json("an unknown path", "POST", "/predict/extra", "{}", 404, "path"),
                json("a body over the payload limit", "POST", "/predict", "{\"image\":\"" + "A".repeat(6_300_000)
                        + "\"}", 413, "body")));
        assertTrue(cases.size() >= 25, cases.size() + " cases");
        HostileRequests.run("predict", cases);
    }
}
