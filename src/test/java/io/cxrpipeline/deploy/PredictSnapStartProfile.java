package io.cxrpipeline.deploy;

import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * {@code predict} configured as template.yaml deploys it: the model read into memory, never into the cache
 * directory (a fresh one that must stay absent), and a refresh interval long enough that only the restore hook
 * makes the provider look at the pointer again. The model is loaded by the tests (priming), not at startup.
 */
public class PredictSnapStartProfile implements QuarkusTestProfile {

    static final String CACHE_DIR = "target/model-cache/never-" + UUID.randomUUID();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.funqy.export", "predict",
                "cxr.inference.model-in-memory", "true",
                "cxr.inference.cache-dir", CACHE_DIR,
                "cxr.inference.refresh-seconds", "3600",
                "cxr.inference.load-at-startup", "false");
    }
}
