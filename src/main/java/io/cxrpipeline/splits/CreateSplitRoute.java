package io.cxrpipeline.splits;

import java.io.IOException;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.catalog.DatasetNotFoundException;
import io.cxrpipeline.common.UnprocessableException;
import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.DatasetNames;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.api.HttpRoute;
import io.cxrpipeline.common.NotFoundException;

/**
 * {@code POST /datasets/{dataset}/splits}: 201 with Location when the split is made, 200 with the same body when
 * the same index and parameters already made it; 400 for bad parameters, 404 for a dataset without indexed
 * images, 422 when a class has too few groups to populate every split.
 */
@Singleton
public class CreateSplitRoute extends HttpRoute {

    private static final Logger LOG = Logger.getLogger(CreateSplitRoute.class);

    private final SplitService service;
    private final SplitRequestParser parser;
    private final Json json;

    @Inject
    public CreateSplitRoute(SplitService service, SplitRequestParser parser, Json json) {
        super("POST", "/datasets/{dataset}/splits");
        this.service = service;
        this.parser = parser;
        this.json = json;
    }

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) throws Exception {
        String dataset = DatasetNames.check("dataset", pathParams.get("dataset"));
        SplitParameters parameters = parser.parse(request.bodyBytes());
        SplitService.Outcome outcome;
        try {
            outcome = service.create(dataset, parameters);
        } catch (InsufficientGroupsException e) {
            throw new UnprocessableException("dataset", e.getMessage() + " (dataset '" + dataset + "')");
        } catch (IOException e) {
            throw new InfrastructureException("the manifest store", "split of " + dataset + " failed", e);
        }
        return SplitRoutes.response(outcome.created() ? 201 : 200, outcome.split(), json.mapper());
    }
}
