package io.cxrpipeline.splits;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;

/** The JSON body and Location of a split, the same for POST and GET. */
final class SplitRoutes {

    private SplitRoutes() {
    }

    /** {@code /datasets/<dataset>/splits/<splitId>}, the dataset percent-encoded as a path segment. */
    static String location(StoredSplit split) {
        return location(split.dataset(), split.splitId());
    }

    /** The path of a split or of a split job (both are polled at {@code GET /datasets/{dataset}/splits/{id}}). */
    static String location(String dataset, String id) {
        return "/datasets/" + URLEncoder.encode(dataset, StandardCharsets.UTF_8).replace("+", "%20") + "/splits/"
                + id;
    }

    /** The job id of a {@link SplitJobEvent}, or null for a request from API Gateway. */
    static String jobId(HttpApiRequest request) {
        return request.requestContext() == null ? request.header(SplitJobEvent.HEADER) : null;
    }

    /**
     * 202 for a job that is not done: its id, status and Location to poll; the poll answers what the synchronous
     * request would have once the job is done.
     */
    static HttpApiResponse accepted(SplitJob job, ObjectMapper mapper) throws JsonProcessingException {
        ObjectNode body = mapper.createObjectNode();
        body.put("jobId", job.jobId());
        body.put("dataset", job.dataset());
        body.put("status", job.status().name());
        body.put("createdAt", job.createdAt());
        String location = location(job.dataset(), job.jobId());
        return new HttpApiResponse(202, Map.of("content-type", "application/json", "location", location,
                "retry-after", "5"), mapper.writeValueAsString(body), false);
    }

    static HttpApiResponse response(int status, StoredSplit split, ObjectMapper mapper) throws JsonProcessingException {
        ObjectNode body = mapper.createObjectNode();
        body.put("splitId", split.splitId());
        body.put("dataset", split.dataset());
        body.put("createdAt", split.createdAt());
        body.put("manifestPrefix", split.manifestPrefix());
        ObjectNode manifests = body.putObject("manifests");
        for (SplitName s : SplitName.values()) {
            ObjectNode m = manifests.putObject(s.id());
            m.put("jsonl", split.file(s.id() + ".jsonl"));
            m.put("csv", split.file(s.id() + ".csv"));
        }
        body.put("summaryUri", split.file("summary.json"));
        body.put("reportUri", split.file("report.html"));
        body.set("summary", mapper.readTree(split.summary()));
        return HttpApiResponse.json(status, mapper.writeValueAsString(body), location(split));
    }
}
