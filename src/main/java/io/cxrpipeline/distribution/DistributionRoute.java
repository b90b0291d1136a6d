package io.cxrpipeline.distribution;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.catalog.DatasetNotFoundException;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.api.ApiException;
import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.DatasetNames;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.api.HttpRoute;
import io.cxrpipeline.common.NotFoundException;

/** {@code GET /datasets/{dataset}/distribution}: 200 with the distribution, 404 for a dataset the index lacks. */
@Singleton
public class DistributionRoute extends HttpRoute {

    private final DistributionService service;
    private final Json json;

    @Inject
    public DistributionRoute(DistributionService service, Json json) {
        super("GET", "/datasets/{dataset}/distribution");
        this.service = service;
        this.json = json;
    }

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) {
        String dataset = DatasetNames.check("dataset", pathParams.get("dataset"));
        return HttpApiResponse.json(200, json.write(service.distribution(dataset)));
    }
}
