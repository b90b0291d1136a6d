package io.cxrpipeline.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.inference.ImagePreprocessor;
import io.cxrpipeline.inference.ModelProvider;
import io.cxrpipeline.inference.OnnxModel;
import io.cxrpipeline.inference.PredictRoute;
import io.cxrpipeline.inference.PredictionService;
import io.cxrpipeline.inference.Preset;

/**
 * A fresh JVM's path to its first prediction, for {@link InferenceBenchmark}: builds the function's objects,
 * loads the model, serves one {@code POST /predict} and prints one line of timestamps (ms since JVM start).
 * Arguments: model file, JPEG file.
 */
public final class ColdStart {

    private ColdStart() {
    }

    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long mainAt = System.currentTimeMillis() - jvmStart;
        Path model = Path.of(args[0]);
        byte[] jpeg = Files.readAllBytes(Path.of(args[1]));
        int threads = Runtime.getRuntime().availableProcessors();
        ModelProvider provider = new ModelProvider(null, null, new ModelProvider.Settings(false,
                Optional.of(model.toString()), java.time.Duration.ofSeconds(60), Path.of("target/model-cache"),
                new OnnxModel.Options(threads, Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"), 0.5)),
                System::nanoTime);
        PredictionService service = new PredictionService(provider, null, new ImagePreprocessor(3),
                new PredictionService.Limits("none", 40_000_000L, 50L << 20, 16));
        PredictRoute route = new PredictRoute(service, new Json(new ObjectMapper()), 6 * 1024 * 1024);
        provider.warmUp();
        long loadedAt = System.currentTimeMillis() - jvmStart;
        HttpApiResponse r = route.handle(new HttpApiRequest("2.0", "POST /predict", "/predict", "",
                Map.of("content-type", "image/jpeg"), null, null, null, Base64.getEncoder().encodeToString(jpeg), true),
                Map.of());
        long predictedAt = System.currentTimeMillis() - jvmStart;
        System.out.println("COLDSTART main=" + mainAt + " loaded=" + loadedAt + " predicted=" + predictedAt
                + " status=" + r.statusCode());
        provider.close();
    }
}
