package io.cxrpipeline.training;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the Batch client at the loopback {@link BatchStub}. */
public class BatchStubResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("cxr.training.batch-endpoint", BatchStub.get().endpoint().toString());
    }

    @Override
    public void stop() {
        // shared by every Quarkus run of the test JVM; stopped by a shutdown hook
    }
}
