package io.cxrpipeline.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the Quarkus AWS clients at the shared loopback emulators. */
public class EmulatorsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Emulators emulators = Emulators.get();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.s3.endpoint-override", emulators.s3Endpoint().toString());
        config.put("quarkus.dynamodb.endpoint-override", emulators.dynamoEndpoint().toString());
        config.put("cxr.bucket", Emulators.BUCKET);
        config.put("cxr.table", Emulators.TABLE);
        return config;
    }

    @Override
    public void stop() {
        // shared across test classes; stopped by a shutdown hook when the JVM exits
    }
}
