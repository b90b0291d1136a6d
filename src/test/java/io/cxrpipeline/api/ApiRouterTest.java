package io.cxrpipeline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.common.InfrastructureException;

/** HTTP semantics at the edge, without Quarkus: methods, HEAD, OPTIONS, path decoding, bounded echo. */
class ApiRouterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Route route(String method, String template, String body) {
        return new HttpRoute(method, template) {
            @Override
            public HttpApiResponse handle(HttpApiRequest request, Map<String, String> params) {
                return HttpApiResponse.json(200, body.replace("{}", params.toString()));
            }
        };
    }

    private final ApiRouter router = new ApiRouter(List.of(
            route("GET", "/datasets/{dataset}/distribution", "{\"got\":\"{}\"}"),
            route("POST", "/datasets/{dataset}/splits", "{}"),
            new HttpRoute("GET", "/broken") {
                @Override
                public HttpApiResponse handle(HttpApiRequest request, Map<String, String> params) {
                    throw new InfrastructureException("the image index",
                            "DynamoDB Query on table cxr failed: Status Code: 500, Request ID: ABCDEF, attempts: 3");
                }
            }), MAPPER);

    static HttpApiRequest request(String method, String rawPath) {
        return new HttpApiRequest("2.0", "$default", rawPath, "", Map.of(), null, null,
                new HttpApiRequest.RequestContext(new HttpApiRequest.Http(method, rawPath, "127.0.0.1"), "req-1"),
                null, false);
    }

    private static JsonNode problem(HttpApiResponse r) throws Exception {
        assertEquals("application/problem+json", r.headers().get("content-type"));
        return MAPPER.readTree(r.body());
    }

    @Test
    void aMethodThePathDoesNotServeIsA405WithAllow() throws Exception {
        HttpApiResponse r = router.dispatch("api", request("DELETE", "/datasets/x/distribution"));
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD, OPTIONS", r.headers().get("allow"));
        assertEquals("method", problem(r).get("field").asText());
        HttpApiResponse post = router.dispatch("api", request("GET", "/datasets/x/splits"));
        assertEquals(405, post.statusCode());
        assertEquals("POST, OPTIONS", post.headers().get("allow"));
    }

    @Test
    void headIsServedWhereGetIsWithoutABody() {
        HttpApiResponse get = router.dispatch("api", request("GET", "/datasets/x/distribution"));
        HttpApiResponse head = router.dispatch("api", request("HEAD", "/datasets/x/distribution"));
        assertEquals(200, head.statusCode());
        assertEquals(get.headers(), head.headers());
        assertNull(head.body());
        assertEquals(405, router.dispatch("api", request("HEAD", "/datasets/x/splits")).statusCode());
    }

    @Test
    void optionsAnswersWithAllow() {
        HttpApiResponse r = router.dispatch("api", request("OPTIONS", "/datasets/x/splits"));
        assertEquals(204, r.statusCode());
        assertEquals("POST, OPTIONS", r.headers().get("allow"));
    }

    @Test
    void pathSegmentsArePercentDecodedWithPlusAsAPlus() throws Exception {
        HttpApiResponse r = router.dispatch("api", request("GET", "/datasets/a+b%20c%C3%A9/distribution"));
        assertEquals("{dataset=a+b cé}", MAPPER.readTree(r.body()).get("got").asText());
    }

    @Test
    void malformedPercentEncodingIsA400NamingTheSegment() throws Exception {
        HttpApiResponse r = router.dispatch("api", request("GET", "/datasets/a%zz/distribution"));
        assertEquals(400, r.statusCode());
        assertEquals("dataset", problem(r).get("field").asText());
    }

    @Test
    void anUnknownLongPathIsA404EchoedBounded() throws Exception {
        HttpApiResponse r = router.dispatch("api", request("GET", "/" + "x".repeat(5000)));
        assertEquals(404, r.statusCode());
        assertTrue(r.body().length() < 2000, r.body().length() + " bytes");
    }

    @Test
    void a503SaysWhatIsUnavailableAndCarriesTheRequestIdButNoInternals() throws Exception {
        HttpApiResponse r = router.dispatch("api", request("GET", "/broken"));
        assertEquals(503, r.statusCode());
        JsonNode p = problem(r);
        assertEquals("req-1", p.get("requestId").asText());
        assertTrue(p.get("detail").asText().startsWith("the image index cannot be reached right now"), r.body());
        for (String leak : List.of("DynamoDB", "Request ID", "ABCDEF", "attempts", "cxr")) {
            assertFalse(r.body().contains(leak), leak + " in " + r.body());
        }
    }
}
