package io.cxrpipeline.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Request bodies read strictly, and every failure said in the API's words. */
class JsonBodiesTest {

    /** A body shaped like the routes' (reindex: a string, a boolean, an integer; a nested list). */
    record Body(String continuationToken, Boolean force, Integer limit, List<String> tags) {
    }

    /** A body with free-form JSON inside (predict's images). */
    record Nodes(List<com.fasterxml.jackson.databind.JsonNode> images) {
    }

    private static final Json JSON = new Json(new ObjectMapper());

    static InvalidInputException refused(String body) {
        return assertThrows(InvalidInputException.class,
                () -> JSON.read(body.getBytes(StandardCharsets.UTF_8), Body.class), body);
    }

    /** Nothing of the implementation in a message: no Java or Jackson names, no parser excerpts. */
    static void assertClean(String message) {
        for (String leak : List.of("java.", "jackson", "io.cxrpipeline", "$", "`", "Source:", "JsonBodiesTest",
                "StreamReadConstraints", "DeserializationFeature", "not marked as ignorable", "Cannot deserialize")) {
            assertFalse(message.contains(leak), "'" + leak + "' in: " + message);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"contnuationToken\":\"x\"}|contnuationToken|unknown field 'contnuationToken'; known fields: continuationToken, force, limit, tags",
        "{\"limit\":\"5\"}|limit|limit must be a whole number",
        "{\"limit\":2.5}|limit|limit must be a whole number",
        "{\"limit\":99999999999}|limit|limit must be a whole number within its range",
        "{\"force\":1}|force|force must be true or false",
        "{\"force\":\"yes\"}|force|force must be true or false",
        "{\"continuationToken\":{}}|continuationToken|continuationToken must be a string",
        "{\"tags\":\"x\"}|tags|tags must be an array",
        "{\"tags\":[{}]}|tags[0]|tags[0] must be a string",
        "[1,2]|body|the body must be a JSON object",
        "\"text\"|body|the body must be a JSON object",
        "7|body|the body must be a JSON object",
        "null|body|the body must be a JSON object, got null",
        "{\"limit\":1,\"limit\":2}|limit|Duplicate field 'limit'",
        "{\"limit\":1} {\"limit\":2}|body|the body holds more after the JSON document ends",
        "{\"limit\":1} garbage|body|the body holds more after the JSON document ends",
        "{\"limit\":1}]|body|the body holds more after the JSON document ends",
        "{\"limit\":|limit|the body ends inside the JSON document",
        "{\"limit\":1|limit|the body ends inside the JSON document",
        "{'limit':1}|body|the body is not valid JSON at line 1, column 2",
        "{\"limit\":NaN}|limit|the body is not valid JSON",
        "{\"limit\":01}|limit|the body is not valid JSON",
        "{\"continuationToken\":\"a\u0001b\"}|continuationToken|the body is not valid JSON",
    })
    void hostileBodiesNameTheFieldAndTheRule(String body, String field, String detail) {
        InvalidInputException e = refused(body);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
        assertClean(e.getMessage());
    }

    @Test
    void nestingDeeperThanTheLimitIsRefusedWithTheLimit() {
        String deep = "{\"tags\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JsonBodies.object(deep.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("nests deeper than " + JsonBodies.MAX_DEPTH + " levels"), e.getMessage());
        assertClean(e.getMessage());
    }

    @Test
    void nestingInsideABoundFieldIsRefusedWithTheLimitAndThePath() {
        byte[] body = ("{\"images\":[" + "[".repeat(50) + "]".repeat(50) + "]}").getBytes(StandardCharsets.UTF_8);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> JSON.read(body, Nodes.class));
        assertEquals("images[0]", e.field());
        assertTrue(e.getMessage().contains("nests deeper than " + JsonBodies.MAX_DEPTH + " levels"), e.getMessage());
    }

    @Test
    void aFieldRepeatedInsideABoundObjectIsNamedWithItsPath() {
        record Outer(Body inner) {
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> JSON.read(
                "{\"inner\":{\"limit\":1,\"limit\":2}}".getBytes(StandardCharsets.UTF_8), Outer.class));
        assertTrue(e.field().startsWith("inner"), e.field());
        assertTrue(e.getMessage().contains("Duplicate field 'limit'"), e.getMessage());
    }

    @Test
    void aNumberLongerThanTheLimitIsRefusedWithTheLimit() {
        InvalidInputException e = refused("{\"limit\":" + "9".repeat(5000) + "}");
        assertEquals("limit", e.field());
        assertTrue(e.getMessage().contains("a number is longer than " + JsonBodies.MAX_NUMBER_LENGTH), e.getMessage());
        assertClean(e.getMessage());
    }

    @Test
    void aLongUnknownFieldIsEchoedBounded() {
        InvalidInputException e = refused("{\"" + "x".repeat(5000) + "\":1}");
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertTrue(e.getMessage().contains("(5000 characters)"), e.getMessage());
    }

    @Test
    void emptyAndBlankBodiesAreTheEmptyObject() throws Exception {
        assertEquals(new Body(null, null, null, null), JSON.read(new byte[0], Body.class));
        assertEquals(new Body(null, null, null, null), JSON.read(" \n".getBytes(StandardCharsets.UTF_8), Body.class));
        assertTrue(JsonBodies.object(new byte[0]).isEmpty());
    }

    @Test
    void aWellFormedBodyReads() throws Exception {
        assertEquals(new Body("t", true, 3, List.of("a")), JSON.read(
                "{\"continuationToken\":\"t\",\"force\":true,\"limit\":3,\"tags\":[\"a\"]}\n".getBytes(StandardCharsets.UTF_8),
                Body.class));
    }
}
