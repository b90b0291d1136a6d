package io.cxrpipeline.training;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.api.HttpRoute;

/** {@code POST /training-runs}: 202 with the run and its Location; a retry with the same clientToken gets the same run. */
@Singleton
public class SubmitTrainingRunRoute extends HttpRoute {

    public SubmitTrainingRunRoute() {
        super("POST", "/training-runs");
    }

    @Inject
    TrainingRunService service;

    @Inject
    Json json;

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) throws Exception {
        TrainingRunService.Submission submission = service.submit(json.read(request.bodyBytes(), TrainingRunRequest.class));
        TrainingRun run = submission.run();
        return HttpApiResponse.json(202, json.write(run),
                "/training-runs/" + URLEncoder.encode(run.runId(), StandardCharsets.UTF_8));
    }
}
