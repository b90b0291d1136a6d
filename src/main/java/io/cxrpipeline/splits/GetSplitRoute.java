package io.cxrpipeline.splits;

import java.util.Map;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.cxrpipeline.api.ApiException;
import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.DatasetNames;
import io.cxrpipeline.common.Echo;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.api.HttpRoute;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.common.NotFoundException;

/**
 * {@code GET /datasets/{dataset}/splits/{splitId}}: 200 with the split and its summary, 404 when unknown. The id
 * of a split job ({@value SplitJobService#JOB_ID_HEX_DIGITS} hex digits) answers 202 while the job runs, then what
 * the synchronous request would have: 200 with its split, or its error.
 */
@Singleton
public class GetSplitRoute extends HttpRoute {

    private static final Pattern SPLIT_ID = Pattern.compile("[0-9a-f]{" + SplitService.ID_HEX_DIGITS + "}");

    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{" + SplitJobService.JOB_ID_HEX_DIGITS + "}");

    private final SplitService service;
    private final SplitJobService jobs;
    private final Json json;

    @Inject
    public GetSplitRoute(SplitService service, SplitJobService jobs, Json json) {
        super("GET", "/datasets/{dataset}/splits/{splitId}");
        this.service = service;
        this.jobs = jobs;
        this.json = json;
    }

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) throws Exception {
        String dataset = DatasetNames.check("dataset", pathParams.get("dataset"));
        String splitId = pathParams.get("splitId");
        if (JOB_ID.matcher(splitId).matches()) {
            SplitJob job = jobs.get(dataset, splitId);
            return switch (job.status()) {
                case PENDING, RUNNING -> SplitRoutes.accepted(job, json.mapper());
                case SUCCEEDED -> SplitRoutes.response(200, service.get(dataset, job.splitId()), json.mapper());
                case FAILED -> throw SplitJobService.failure(job);
            };
        }
        if (!SPLIT_ID.matcher(splitId).matches()) {
            throw new NotFoundException("splitId", "dataset '" + dataset + "' has no split " + Echo.quote(splitId)
                    + " (a split id is " + SplitService.ID_HEX_DIGITS + " hexadecimal digits)");
        }
        return SplitRoutes.response(200, service.get(dataset, splitId), json.mapper());
    }
}
