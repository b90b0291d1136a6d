package io.cxrpipeline.inference;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import javax.imageio.ImageIO;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.common.DomainException;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.StartupEvent;

/**
 * Lambda SnapStart runtime hooks of {@code predict} (CRaC). Before the snapshot of a published version: load the
 * promoted model and run one inference on a synthetic X-ray, so that every environment restored from the snapshot
 * starts with the session created, the weights in memory and the request path (JPEG decoding, preprocessing,
 * ONNX Runtime) warm. After a restore: look at the promoted pointer again, because the snapshot may be older than
 * the last promotion.
 */
@Singleton
@Unremovable
public class SnapStartHooks implements Resource {

    private static final Logger LOG = Logger.getLogger(SnapStartHooks.class);
    /** Side of the synthetic priming image: larger than the model input, so the DCT-scaled decode path runs. */
    private static final int PRIMING_SIZE = 1024;

    private final ModelProvider models;
    private final PredictionService predictions;

    @Inject
    public SnapStartHooks(ModelProvider models, PredictionService predictions) {
        this.models = models;
        this.predictions = predictions;
    }

    /**
     * Registers the hooks in the {@code predict} function. The global CRaC context holds resources weakly; this
     * singleton is held by the container for the life of the application.
     */
    static void register(@Observes StartupEvent event,
            @ConfigProperty(name = "quarkus.funqy.export") Optional<String> export, Instance<SnapStartHooks> hooks) {
        if (export.filter("predict"::equals).isPresent()) {
            Core.getGlobalContext().register(hooks.get());
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        recheck();
    }

    /**
     * Loads the promoted model (unless it is the one loaded at init) and runs one inference. Never throws: a version
     * published before any model is promoted is still a valid snapshot, whose first request loads the model.
     *
     * @return the model version that answered, empty when there is no model to serve
     */
    public Optional<String> prime() {
        long start = System.nanoTime();
        recheck();
        try {
            PredictionResult result = predictions.predict(List.of(new ImageInput.Inline("snapstart", syntheticXray())));
            LOG.infof("primed model %s for the snapshot in %d ms", result.modelVersion(),
                    (System.nanoTime() - start) / 1_000_000);
            return Optional.of(result.modelVersion());
        } catch (DomainException e) {
            LOG.warnf("snapshot taken without a model: %s", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Re-reads the promoted pointer (a single GetItem: Lambda allows a restore hook 10 s, too little to load a
     * model). A newer promotion is loaded by the next request.
     *
     * @return whether the model being served is still the one to serve
     */
    public boolean recheck() {
        try {
            boolean same = models.recheck();
            if (!same) {
                LOG.infof("serving %s, but the promoted model is another: the next request loads it",
                        models.currentVersion().orElse("no model"));
            }
            return same;
        } catch (InfrastructureException e) {
            LOG.warnf("cannot read the promoted model pointer: %s", e.getMessage());
            return false;
        }
    }

    /** A grey JPEG with a smooth gradient, the format and bit depth of a chest X-ray. */
    static byte[] syntheticXray() {
        BufferedImage image = new BufferedImage(PRIMING_SIZE, PRIMING_SIZE, BufferedImage.TYPE_BYTE_GRAY);
        byte[] pixels = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < PRIMING_SIZE; y++) {
            for (int x = 0; x < PRIMING_SIZE; x++) {
                pixels[y * PRIMING_SIZE + x] = (byte) ((x + y) * 255 / (2 * PRIMING_SIZE - 2));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
