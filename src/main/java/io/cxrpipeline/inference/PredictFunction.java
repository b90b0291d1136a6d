package io.cxrpipeline.inference;

import jakarta.inject.Inject;

import io.cxrpipeline.api.ApiRouter;
import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.quarkus.funqy.Funq;

/** The {@code predict} Lambda: {@code POST /predict} behind API Gateway (HTTP API, payload 2.0). */
public class PredictFunction {

    @Inject
    ApiRouter router;

    @Funq("predict")
    public HttpApiResponse predict(HttpApiRequest request) {
        return router.dispatch("predict", request);
    }
}
