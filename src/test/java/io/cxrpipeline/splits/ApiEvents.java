package io.cxrpipeline.splits;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxrpipeline.testing.EventFixtures;

/** The HTTP API (payload 2.0) event fixtures under {@code src/test/resources/events/}, adapted per test. */
public final class ApiEvents {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ApiEvents() {
    }

    /** A fixture with its dataset {@code chest_xray} renamed, so that tests sharing the emulators stay apart. */
    public static String load(String name, String dataset) {
        return EventFixtures.read(name).replace("chest_xray", dataset);
    }

    /** The fixture with another body (null: none). */
    public static String withBody(String event, String body) {
        try {
            ObjectNode node = (ObjectNode) MAPPER.readTree(event);
            if (body == null) {
                node.remove("body");
            } else {
                node.put("body", body);
            }
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with one more header. */
    public static String withHeader(String event, String name, String value) {
        try {
            ObjectNode node = (ObjectNode) MAPPER.readTree(event);
            ((ObjectNode) node.get("headers")).put(name, value);
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with another split id in the path. */
    public static String withSplitId(String event, String splitId) {
        return event.replace("0123456789abcdef", splitId);
    }

    /** The {@code body} of a Funqy response (the proxy response), parsed. */
    public static JsonNode body(String response) {
        try {
            return MAPPER.readTree(MAPPER.readTree(response).get("body").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
