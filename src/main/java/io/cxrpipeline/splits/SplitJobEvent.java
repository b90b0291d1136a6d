package io.cxrpipeline.splits;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The event of the asynchronous invocation that runs a split job: a {@code POST /datasets/{dataset}/splits}
 * event without a request context (API Gateway always sends one, so no HTTP client can make this event) and
 * with the job id in the {@value #HEADER} header. It reaches the same function and route as the request it
 * comes from; {@link SplitRoutes#jobId} recognises it.
 */
public final class SplitJobEvent {

    /** The header carrying the job id. */
    public static final String HEADER = "x-cxr-split-job";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SplitJobEvent() {
    }

    /** The event that runs the job, as JSON. */
    public static String json(String dataset, String jobId) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", "POST /datasets/{dataset}/splits");
        event.put("rawPath", SplitRoutes.location(dataset, "").replaceAll("/$", ""));
        event.put("headers", Map.of(HEADER, jobId));
        event.put("isBase64Encoded", false);
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
