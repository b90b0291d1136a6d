package io.cxrpipeline.ingest;

import java.util.Map;
import java.util.Set;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Exports {@code index-objects}, with DynamoDB failing for images whose id says so. */
public class IndexObjectsTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.funqy.export", "index-objects");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(PartlyUnreachableIndex.class);
    }
}
