package io.cxrpipeline.training;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.api.HttpRoute;
import io.cxrpipeline.common.Json;

/** {@code PUT /datasets/{dataset}/evaluation-manifest}: pins the dataset's evaluation manifest (200 with it). */
@Singleton
public class PinEvaluationManifestRoute extends HttpRoute {

    public PinEvaluationManifestRoute() {
        super("PUT", "/datasets/{dataset}/evaluation-manifest");
    }

    @Inject
    EvaluationSets sets;

    @Inject
    Json json;

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) throws Exception {
        return HttpApiResponse.json(200, json.write(sets.pin(pathParams.get("dataset"),
                json.read(request.bodyBytes(), EvaluationSetRequest.class))));
    }
}
