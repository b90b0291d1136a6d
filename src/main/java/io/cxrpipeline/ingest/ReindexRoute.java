package io.cxrpipeline.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.cxrpipeline.api.ApiException;
import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.DatasetNames;
import io.cxrpipeline.common.Echo;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.api.HttpRoute;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.NotFoundException;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code POST /datasets/{dataset}/reindex}: indexes objects already in the bucket (missed events, uploads
 * from before the deployment). Resumable: 202 with a continuation token until {@code done}.
 */
@Singleton
public class ReindexRoute extends HttpRoute {

    public ReindexRoute() {
        super("POST", "/datasets/{dataset}/reindex");
    }

    /**
     * The request body; every field optional.
     *
     * @param continuationToken from the previous response, to resume
     * @param force             re-judge entries that are up to date (after changing classes or key rules)
     * @param limit             examine at most this many objects in this call (at most the configured maximum)
     */
    @RegisterForReflection
    public record ReindexRequest(String continuationToken, Boolean force, Integer limit) {
    }

    /** The response body. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReindexResponse(String dataset, int scanned, int indexed, int skipped, int failed,
            String continuationToken, boolean done) {
    }

    // Looked up on first use: the clients behind it are not needed by functions that never reindex.
    @Inject
    Instance<ReindexService> service;

    @Inject
    Json json;

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) throws Exception {
        String dataset = DatasetNames.check("dataset", pathParams.get("dataset"));
        ReindexRequest body = json.read(request.bodyBytes(), ReindexRequest.class);
        String startAfter = body.continuationToken() == null ? null : decode(body.continuationToken(), dataset);
        if (body.limit() != null && body.limit() < 1) {
            throw new InvalidInputException("limit", "limit must be at least 1");
        }
        ReindexService.Result r = service.get().run(dataset, startAfter, Boolean.TRUE.equals(body.force()), body.limit());
        String token = r.done() ? null : encode(dataset, r.startAfter());
        return HttpApiResponse.json(202, json.write(new ReindexResponse(dataset, r.scanned(), r.indexed(), r.skipped(),
                r.failed(), token, r.done())));
    }

    /** The token names the dataset and the last key examined; opaque to clients. */
    static String encode(String dataset, String startAfter) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(dataset.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString((startAfter == null ? "" : startAfter).getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String token, String dataset) {
        String[] parts = token.split("\\.", -1);
        try {
            if (parts.length == 2) {
                Base64.Decoder b64 = Base64.getUrlDecoder();
                String tokenDataset = new String(b64.decode(parts[0]), StandardCharsets.UTF_8);
                String after = new String(b64.decode(parts[1]), StandardCharsets.UTF_8);
                if (!tokenDataset.equals(dataset)) {
                    throw new InvalidInputException("continuationToken", "the token belongs to dataset " + Echo.quote(tokenDataset));
                }
                return after.isEmpty() ? null : after;
            }
        } catch (IllegalArgumentException e) {
            // not base64: reported below
        }
        throw new InvalidInputException("continuationToken", "not a token returned by this route");
    }
}
