package io.cxrpipeline.splits;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.DatasetNames;
import io.cxrpipeline.api.HttpRoute;
import io.cxrpipeline.common.Json;

/**
 * {@code POST /datasets/{dataset}/splits}: 201 with Location when the split is made, 200 with the same body when
 * the same index and parameters already made it; 400 for bad parameters, 404 for a dataset without indexed
 * images, 422 when a class has too few groups to populate every split.
 *
 * <p>A request with {@code Prefer: respond-async} (or {@code ?async=true}), or for a dataset of at least
 * {@code cxr.splits.async-threshold} images, is answered 202 with the Location of a job to poll; a second,
 * asynchronous invocation of this function (a {@link SplitJobEvent}) makes the split.
 */
@Singleton
public class CreateSplitRoute extends HttpRoute {

    private final SplitJobService jobs;
    private final SplitRequestParser parser;
    private final Json json;

    @Inject
    public CreateSplitRoute(SplitJobService jobs, SplitRequestParser parser, Json json) {
        super("POST", "/datasets/{dataset}/splits");
        this.jobs = jobs;
        this.parser = parser;
        this.json = json;
    }

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) throws Exception {
        String dataset = DatasetNames.check("dataset", pathParams.get("dataset"));
        String jobId = SplitRoutes.jobId(request);
        if (jobId != null) {
            return SplitRoutes.accepted(jobs.run(dataset, jobId), json.mapper());
        }
        byte[] body = request.bodyBytes();
        SplitParameters parameters = parser.parse(body);
        if (jobs.runsAsynchronously(dataset, asksForAsync(request))) {
            return SplitRoutes.accepted(jobs.submit(dataset, body), json.mapper());
        }
        SplitService.Outcome outcome = jobs.create(dataset, parameters);
        return SplitRoutes.response(outcome.created() ? 201 : 200, outcome.split(), json.mapper());
    }

    /** {@code Prefer: respond-async} (RFC 7240) or the query parameter {@code async=true}. */
    private static boolean asksForAsync(HttpApiRequest request) {
        String prefer = request.header("prefer");
        Map<String, String> query = request.queryStringParameters();
        return (prefer != null && prefer.toLowerCase(java.util.Locale.ROOT).contains("respond-async"))
                || (query != null && "true".equalsIgnoreCase(query.get("async")));
    }
}
