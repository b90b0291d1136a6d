package io.cxrpipeline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.aws.ModelItems;
import io.cxrpipeline.inference.ImageInput;
import io.cxrpipeline.inference.ModelProvider;
import io.cxrpipeline.inference.PromotedModels;
import io.cxrpipeline.inference.BucketObjects;
import io.cxrpipeline.inference.OnnxModel;
import io.cxrpipeline.inference.PredictionService;
import io.cxrpipeline.inference.Preset;
import io.cxrpipeline.inference.SnapStartHooks;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.cxrpipeline.training.PromotedModel;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The SnapStart runtime hooks of {@code predict}, called as Lambda calls them around a snapshot, with the model
 * promoted the way production promotes it (model.onnx in S3Proxy, the PROMOTED pointer in dynalite).
 */
@QuarkusTest
@TestProfile(PredictSnapStartProfile.class)
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class SnapStartHooksTest {

    @Inject
    ModelProvider models;
    @Inject
    PredictionService predictions;
    @Inject
    PromotedModels registry;
    @Inject
    BucketObjects store;

    /** Looked up, not injected: an injection point would keep the bean even if nothing else used it. */
    static SnapStartHooks hooks() {
        return Arc.container().instance(SnapStartHooks.class).get();
    }

    @Inject
    io.cxrpipeline.training.ModelVersions promotions;

    /** Uploads a committed test model under a fresh version and promotes it the way training-events does. */
    String promote(String fixture) {
        String version = "snap-" + UUID.randomUUID();
        String key = "models/" + version + "/model.onnx";
        try (InputStream in = SnapStartHooksTest.class.getClassLoader().getResourceAsStream("models/" + fixture)) {
            Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key(key),
                    RequestBody.fromBytes(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String previous = promotions.promoted().map(PromotedModel::version).orElse(null);
        assertTrue(promotions.promote(new PromotedModel(version, "s3://" + Emulators.BUCKET + "/" + key,
                Instant.now().toString(), null, null, null, previous), previous));
        return version;
    }

    static String predictedBy(PredictionService service) throws IOException {
        try (InputStream in = SnapStartHooksTest.class.getClassLoader().getResourceAsStream("models/xray-gray.jpg")) {
            return service.predict(List.of(new ImageInput.Inline("image", in.readAllBytes()))).modelVersion();
        }
    }

    @AfterEach
    void unpromote() {
        Emulators.get().dynamo().deleteItem(b -> b.tableName(Emulators.TABLE).key(ModelItems.key(
                ModelItems.PROMOTED_SK)));
    }

    @Test
    void beforeTheSnapshotThePromotedModelIsReadIntoMemoryAndRunsOnce() {
        assertTrue(Arc.container().instance(SnapStartHooks.class).isAvailable(), "the hooks are a bean of predict");
        String v1 = promote("tiny-vgg.onnx");

        assertEquals(Optional.of(v1), hooks().prime(), "the priming inference was answered by the promoted model");
        hooks().beforeCheckpoint(null);
        assertEquals(Optional.of(v1), models.currentVersion());
        assertFalse(Files.exists(Path.of(PredictSnapStartProfile.CACHE_DIR)),
                "the model went to disk; SnapStart allows 512 MB of /tmp");
    }

    @Test
    void afterARestoreThePointerIsReadAgainAndANewerPromotionServedNext() throws IOException {
        String v1 = promote("tiny-vgg.onnx");
        hooks().beforeCheckpoint(null);
        assertEquals(Optional.of(v1), models.currentVersion());
        assertTrue(hooks().recheck(), "the pointer still names the snapshot's model");

        // Promoted after the snapshot: within the refresh interval (an hour here) nothing would look.
        String v2 = promote("tiny-vgg-int8.onnx");
        assertEquals(v1, predictedBy(predictions));
        hooks().afterRestore(null);
        assertEquals(Optional.of(v1), models.currentVersion(), "the restore hook loads nothing (Lambda gives it 10 s)");
        assertEquals(v2, predictedBy(predictions), "the first request after the restore serves the new promotion");
        assertTrue(hooks().recheck());
    }

    @Test
    void withoutAPromotedModelTheHooksNeitherFailNorLoad() {
        OnnxModel.Options options = new OnnxModel.Options(1, Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"),
                0.5);
        try (ModelProvider empty = new ModelProvider(registry, store, new ModelProvider.Settings(true,
                Optional.empty(), Duration.ofHours(1), null, options), System::nanoTime)) {
            SnapStartHooks hooks = new SnapStartHooks(empty, new PredictionService(empty, store,
                    new io.cxrpipeline.inference.ImagePreprocessor(3),
                    new PredictionService.Limits(Emulators.BUCKET, 40_000_000L, 1 << 20, 1, List.of("images/"))));
            assertEquals(Optional.empty(), hooks.prime());
            hooks.beforeCheckpoint(null);
            assertFalse(hooks.recheck());
            hooks.afterRestore(null);
            assertEquals(Optional.empty(), empty.currentVersion());
        }
    }
}
