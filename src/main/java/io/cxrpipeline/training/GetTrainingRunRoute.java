package io.cxrpipeline.training;

import java.util.Map;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.api.HttpRoute;

/** {@code GET /training-runs/{runId}}: status with its times, Batch's reason, metrics and model version. */
@Singleton
public class GetTrainingRunRoute extends HttpRoute {

    public GetTrainingRunRoute() {
        super("GET", "/training-runs/{runId}");
    }

    @Inject
    TrainingRunService service;

    @Inject
    Json json;

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) {
        return HttpApiResponse.json(200, json.write(service.get(pathParams.get("runId"))));
    }
}
