package io.cxrpipeline.training;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxrpipeline.testing.Emulators;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** API Gateway HTTP API (payload 2.0) events through the Lambda mock event server, and split items to start from. */
final class ApiCalls {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** The function's response: status, headers and the body parsed as JSON. */
    record Response(int status, JsonNode headers, JsonNode body) {
        String header(String name) {
            return headers.path(name).asText(null);
        }
    }

    private ApiCalls() {
    }

    static Response call(String method, String path, String body) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", path);
        event.put("rawQueryString", "");
        event.putObject("headers").put("content-type", "application/json");
        ObjectNode context = event.putObject("requestContext");
        context.put("requestId", UUID.randomUUID().toString());
        context.putObject("http").put("method", method).put("path", path).put("sourceIp", "127.0.0.1");
        if (body != null) {
            event.put("body", body);
        }
        event.put("isBase64Encoded", false);
        String out = given().contentType("application/json").body(event.toString()).when().post().then()
                .statusCode(200).extract().asString();
        try {
            JsonNode response = MAPPER.readTree(out);
            String text = response.path("body").asText("");
            return new Response(response.path("statusCode").asInt(), response.path("headers"),
                    text.isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(text));
        } catch (Exception e) {
            throw new IllegalStateException("not a JSON response: " + out, e);
        }
    }

    /** Writes the split item the splits capability would write. */
    static void putSplit(String dataset, String splitId) {
        Emulators.get().dynamo().putItem(b -> b.tableName(Emulators.TABLE).item(Map.of(
                "pk", AttributeValue.fromS("SPLIT#" + dataset + "#" + splitId),
                "sk", AttributeValue.fromS("SPLIT"),
                "dataset", AttributeValue.fromS(dataset),
                "splitId", AttributeValue.fromS(splitId),
                "manifestPrefix", AttributeValue.fromS("s3://" + Emulators.BUCKET + "/manifests/" + dataset + "/"
                        + splitId + "/"),
                "createdAt", AttributeValue.fromS("2026-03-01T10:00:00.000Z"),
                "summary", AttributeValue.fromS("{}"))));
    }
}
