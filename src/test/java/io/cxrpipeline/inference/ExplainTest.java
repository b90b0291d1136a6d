package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.Json;

/**
 * {@code explain}: the Grad-CAM map the exported graph computes, on a small net exported by the training program
 * (infra/training/tests/make_gradcam_fixture.py), against PyTorch autograd's map of the same image.
 */
class ExplainTest {

    @TempDir
    Path cache;

    final ModelProviderTest.FakeStore store = new ModelProviderTest.FakeStore();
    final List<ModelProvider> providers = new ArrayList<>();

    PredictionService service(String model) {
        ModelProvider p = new ModelProvider(null, store, new ModelProvider.Settings(false,
                Optional.of(Fixtures.path(model).toString()), Duration.ofSeconds(60), cache, Fixtures.options()),
                System::nanoTime);
        providers.add(p);
        return new PredictionService(p, store, new ImagePreprocessor(0),
                new PredictionService.Limits("cxr-bucket", 40_000_000L, 1 << 20, 16));
    }

    @AfterEach
    void close() {
        providers.forEach(ModelProvider::close);
    }

    @Test
    void theMapOfThePredictedClassEqualsAutogradGradCamAndComesWithAnOverlay() throws Exception {
        ExplainResponse r = service("tiny-gradcam.onnx").explain(new ImageInput.Inline("image",
                Fixtures.bytes("xray-gray.png")));
        float[] logits = Fixtures.floats("tiny-gradcam.xray-gray.logits.f32");
        float[] maps = Fixtures.floats("tiny-gradcam.xray-gray.maps.f32");
        // Calibrated as the metadata says (temperature 1.25), decided at its threshold (0.4).
        double positive = 1 / (1 + Math.exp(-(logits[1] - logits[0]) / 1.25));
        assertEquals(positive, r.probabilities().get("PNEUMONIA"), 1e-4);
        assertEquals(0.4, r.threshold());
        assertEquals("PNEUMONIA", r.label());
        Explanation e = r.explanation();
        assertEquals("grad-cam", e.method());
        assertEquals("PNEUMONIA", e.className());
        assertEquals(16, e.grid().length);
        assertEquals(16, e.grid()[0].length);
        double peak = 0;
        double maxDiff = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                double want = maps[256 + y * 16 + x]; // class 1 of [1, 2, 16, 16]
                peak = Math.max(peak, want);
                maxDiff = Math.max(maxDiff, Math.abs(want - e.grid()[y][x]));
            }
        }
        assertTrue(peak > 0.01, "peak " + peak);
        assertTrue(maxDiff <= 1e-4, "ONNX Runtime Grad-CAM vs PyTorch autograd: max |d| " + maxDiff);
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(e.overlayPng())));
        assertEquals(64, overlay.getWidth());
        assertEquals(64, overlay.getHeight());
    }

    @Test
    void aModelWithoutTheGradCamOutputCannotExplain() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> service("tiny-vgg.onnx").explain(
                new ImageInput.Inline("image", Fixtures.bytes("xray-gray.png"))));
        assertEquals("explain", e.field());
        assertTrue(e.getMessage().contains("has no Grad-CAM output ('gradcam')"), e.getMessage());
    }

    @Test
    void theRouteExplainsOnRequestAndRefusesABatch() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        PredictRoute route = new PredictRoute(service("tiny-gradcam.onnx"), new Json(mapper), 6_000_000);
        String image = Base64.getEncoder().encodeToString(Fixtures.bytes("xray-gray.png"));
        HttpApiResponse r = route.handle(request("{\"image\":\"" + image + "\",\"explain\":true}", null), Map.of());
        assertEquals(200, r.statusCode());
        JsonNode body = mapper.readTree(r.body());
        assertEquals("PNEUMONIA", body.at("/explanation/className").asText());
        assertEquals(16, body.at("/explanation/grid").size());
        assertTrue(body.at("/explanation/overlayPng").asText().length() > 100);

        JsonNode plain = mapper.readTree(route.handle(request("{\"image\":\"" + image + "\"}", null), Map.of()).body());
        assertTrue(plain.path("explanation").isMissingNode(), "no map unless asked");

        JsonNode query = mapper.readTree(route.handle(request("{\"image\":\"" + image + "\"}", Map.of("explain",
                "true")), Map.of()).body());
        assertEquals(16, query.at("/explanation/grid").size());

        InvalidInputException batch = assertThrows(InvalidInputException.class, () -> route.handle(request(
                "{\"images\":[\"" + image + "\"],\"explain\":true}", null), Map.of()));
        assertEquals("explain", batch.field());
    }

    private static HttpApiRequest request(String body, Map<String, String> query) {
        return new HttpApiRequest("2.0", "POST /predict", "/predict", null, Map.of("content-type", "application/json"),
                query, Map.of(), null, body, false);
    }
}
