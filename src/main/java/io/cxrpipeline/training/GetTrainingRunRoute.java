package io.cxrpipeline.training;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.cxrpipeline.common.HttpApiRequest;
import io.cxrpipeline.common.HttpApiResponse;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.common.Route;

/** {@code GET /training-runs/{runId}}: status with its times, Batch's reason, metrics and model version. */
@ApplicationScoped
public class GetTrainingRunRoute implements Route {

    @Inject
    TrainingRunService service;

    @Inject
    Json json;

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String pathTemplate() {
        return "/training-runs/{runId}";
    }

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) {
        return HttpApiResponse.json(200, json.write(service.get(pathParams.get("runId"))));
    }
}
