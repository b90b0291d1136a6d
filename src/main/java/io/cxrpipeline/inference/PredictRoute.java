package io.cxrpipeline.inference;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxrpipeline.api.ApiException;
import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.api.HttpRoute;
import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.TooLargeException;

/**
 * {@code POST /predict}, served by the {@code predict} function. The body is a JPEG/PNG image (any
 * {@code image/*} or {@code application/octet-stream} content type; API Gateway delivers it base64-encoded) or
 * JSON ({@link PredictRequest}).
 */
@Singleton
public class PredictRoute extends HttpRoute {

    private final PredictionService service;
    private final Json json;
    private final int maxPayloadBytes;

    @Inject
    public PredictRoute(PredictionService service, Json json, InferenceConfig config) {
        this(service, json, config.maxPayloadBytes());
    }

    public PredictRoute(PredictionService service, Json json, int maxPayloadBytes) {
        super("POST", "/predict");
        this.service = service;
        this.json = json;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public String function() {
        return "predict";
    }

    @Override
    public HttpApiResponse handle(HttpApiRequest request, Map<String, String> pathParams) throws Exception {
        String body = request.body();
        if (body != null && body.length() > maxPayloadBytes) {
            throw new TooLargeException("body", "the request body is " + body.length() + " bytes as received; at most "
                    + maxPayloadBytes + " fit a Lambda invocation (send a larger image by s3Uri)");
        }
        byte[] bytes = request.bodyBytes();
        String type = request.header("content-type");
        type = type == null ? "" : type.toLowerCase(Locale.ROOT);
        boolean isJson = type.contains("json")
                || (!type.startsWith("image/") && !type.startsWith("application/octet-stream")
                        && !type.startsWith("application/dicom") && startsWithBrace(bytes));
        if (!isJson) {
            ImageInput raw = new ImageInput.Inline("body", bytes);
            return explainQuery(request) ? explained(raw) : single(service.predict(List.of(raw)));
        }
        if (bytes.length == 0) {
            throw new InvalidInputException("body", "the body is empty: send an image, or JSON with image, s3Uri or images");
        }
        PredictRequest req = json.read(bytes, PredictRequest.class);
        int given = (req.image() != null ? 1 : 0) + (req.s3Uri() != null ? 1 : 0) + (req.images() != null ? 1 : 0);
        if (given != 1) {
            throw new InvalidInputException("body", "give exactly one of image (base64), s3Uri or images; "
                    + (given == 0 ? "none was given" : given + " were given"));
        }
        boolean explain = Boolean.TRUE.equals(req.explain()) || explainQuery(request);
        if (req.image() != null) {
            ImageInput image = new ImageInput.Inline("image", base64("image", req.image()));
            return explain ? explained(image) : single(service.predict(List.of(image)));
        }
        if (req.s3Uri() != null) {
            ImageInput stored = new ImageInput.Stored("s3Uri", req.s3Uri());
            return explain ? explained(stored) : single(service.predict(List.of(stored)));
        }
        if (explain) {
            throw new InvalidInputException("explain", "explain is served for a single image (image or s3Uri), not a "
                    + "batch");
        }
        List<JsonNode> images = req.images();
        service.checkBatchSize(images.size());
        List<ImageInput> inputs = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            inputs.add(element("images[" + i + "]", images.get(i)));
        }
        PredictionResult r = service.predict(inputs);
        return HttpApiResponse.json(200, json.write(
                new BatchPredictResponse(r.modelVersion(), r.threshold(), r.predictions(), r.timings())));
    }

    private HttpApiResponse explained(ImageInput input) {
        return HttpApiResponse.json(200, json.write(service.explain(input)));
    }

    /** {@code ?explain=true} (for image bodies, which carry no JSON). */
    private static boolean explainQuery(HttpApiRequest request) {
        Map<String, String> q = request.queryStringParameters();
        String v = q == null ? null : q.get("explain");
        if (v == null || v.equalsIgnoreCase("false")) {
            return false;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        throw new InvalidInputException("explain", "explain must be true or false, got '" + v + "'");
    }

    private HttpApiResponse single(PredictionResult r) {
        ImagePrediction p = r.predictions().get(0);
        return HttpApiResponse.json(200, json.write(new PredictResponse(p.label(), p.probabilities(), r.threshold(),
                r.modelVersion(), p.image(), r.timings())));
    }

    private static ImageInput element(String field, JsonNode node) {
        if (node.isTextual()) {
            return new ImageInput.Inline(field, base64(field, node.asText()));
        }
        if (node.isObject() && node.size() == 1 && node.get("image") != null && node.get("image").isTextual()) {
            return new ImageInput.Inline(field + ".image", base64(field + ".image", node.get("image").asText()));
        }
        if (node.isObject() && node.size() == 1 && node.get("s3Uri") != null && node.get("s3Uri").isTextual()) {
            return new ImageInput.Stored(field + ".s3Uri", node.get("s3Uri").asText());
        }
        throw new InvalidInputException(field, "each image is a base64 string, {\"image\": \"<base64>\"} or "
                + "{\"s3Uri\": \"s3://…\"}");
    }

    /** Standard or URL-safe base64, optionally as a data URL; line breaks are tolerated. */
    static byte[] base64(String field, String text) {
        String t = text;
        if (t.startsWith("data:")) {
            int comma = t.indexOf(',');
            if (comma < 0 || !t.substring(0, comma).endsWith(";base64")) {
                throw new InvalidInputException(field, "a data URL must be base64: data:image/jpeg;base64,…");
            }
            t = t.substring(comma + 1);
        }
        t = stripWhitespace(t);
        try {
            return Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(t);
            } catch (IllegalArgumentException e2) {
                throw new InvalidInputException(field, "not valid base64: " + e.getMessage());
            }
        }
    }

    private static boolean startsWithBrace(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return false;
    }

    private static String stripWhitespace(String s) {
        int i = 0;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s; // the usual case: no copy
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            if (!Character.isWhitespace(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
