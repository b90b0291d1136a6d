package io.cxrpipeline.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hand-written hostile requests (bodies, paths, methods, headers) sent as API Gateway events through a function
 * by the mock event server, and what every answer must be: the expected 4xx, problem+json, naming the expected
 * field, with a bounded body that names nothing of the implementation. The tally of statuses is printed and
 * written to {@code target/hostile-requests-<suite>.txt}.
 */
public final class HostileRequests {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** What a problem must never contain: Java, Jackson or SDK names, parser excerpts, model locations. */
    private static final Pattern LEAK = Pattern.compile("java\\.|jackson|io\\.cxrpipeline|[a-z]\\$[A-Z]|Exception|"
            + "not marked as ignorable|Cannot deserialize|StreamReadConstraints|Source:|`|Request ID|"
            + "Status Code|attempt|software\\.amazon|models/|\\.onnx");

    /** Longest problem body accepted: echoes are bounded. */
    static final int MAX_BODY = 2000;

    /**
     * One hostile request and the answer it must get.
     *
     * @param name        what it tries
     * @param contentType the content-type header, or null for none
     * @param base64      whether API Gateway marked the body base64-encoded
     */
    public record Case(String name, String method, String path, String contentType, String body, boolean base64,
            int status, String field) {

        public static Case json(String name, String method, String path, String body, int status, String field) {
            return new Case(name, method, path, "application/json", body, false, status, field);
        }
    }

    /** The answer: status, headers and body text. */
    public record Answer(int status, JsonNode headers, String body) {
    }

    private HostileRequests() {
    }

    public static Answer send(Case c) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("version", "2.0").put("routeKey", "$default").put("rawPath", c.path()).put("rawQueryString", "");
        ObjectNode headers = event.putObject("headers");
        if (c.contentType() != null) {
            headers.put("content-type", c.contentType());
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("requestId", UUID.randomUUID().toString());
        context.putObject("http").put("method", c.method()).put("path", c.path()).put("sourceIp", "127.0.0.1");
        if (c.body() != null) {
            event.put("body", c.body());
        }
        event.put("isBase64Encoded", c.base64());
        String out = given().contentType("application/json").body(event.toString()).when().post().then()
                .statusCode(200).extract().asString();
        try {
            JsonNode r = MAPPER.readTree(out);
            return new Answer(r.path("statusCode").asInt(), r.path("headers"), r.path("body").asText(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends every case, checks every answer, prints and writes the tally; fails listing every miss. */
    public static void run(String suite, List<Case> cases) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        int serverErrors = 0;
        for (Case c : cases) {
            Answer a = send(c);
            statuses.merge(a.status(), 1, Integer::sum);
            if (a.status() >= 500) {
                serverErrors++;
            }
            checks.add(() -> check(c, a));
        }
        String tally = suite + ": " + cases.size() + " hostile requests, statuses " + statuses + ", 5xx: " + serverErrors;
        System.out.println(tally);
        try {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "hostile-requests-" + suite + ".txt"), tally + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertAll(tally, checks.stream());
        assertEquals(0, serverErrors, tally);
    }

    private static void check(Case c, Answer a) {
        String what = c.name() + " (" + c.method() + " " + abbreviate(c.path()) + "): " + abbreviate(a.body());
        assertEquals(c.status(), a.status(), what);
        assertEquals("application/problem+json", a.headers().path("content-type").asText(), what);
        assertTrue(a.body().length() <= MAX_BODY, a.body().length() + " characters: " + what);
        assertFalse(LEAK.matcher(a.body()).find(), "leaks " + LEAK.matcher(a.body()).results()
                .map(m -> m.group()).toList() + ": " + what);
        JsonNode p;
        try {
            p = MAPPER.readTree(a.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + what, e);
        }
        assertEquals(c.status(), p.path("status").asInt(), what);
        assertEquals(c.field(), p.path("field").asText(null), what);
        assertFalse(p.path("detail").asText("").isBlank(), what);
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
