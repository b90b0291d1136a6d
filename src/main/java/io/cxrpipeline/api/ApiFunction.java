package io.cxrpipeline.api;

import jakarta.inject.Inject;

import io.quarkus.funqy.Funq;

/** The {@code api} Lambda: every API Gateway route except {@code /predict}. */
public class ApiFunction {

    @Inject
    ApiRouter router;

    @Funq("api")
    public HttpApiResponse api(HttpApiRequest request) {
        return router.dispatch("api", request);
    }
}
