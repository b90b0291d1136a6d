package io.cxrpipeline.training;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import io.cxrpipeline.training.ModelVersions;
import io.cxrpipeline.training.ModelVersion;
import io.cxrpipeline.training.PromotedModel;

/** {@link ModelVersions} in memory, with compare-and-set on the pointer. */
class InMemoryModelVersions implements ModelVersions {

    final Map<String, ModelVersion> versions = new TreeMap<>();
    PromotedModel promoted;
    int promotions;

    @Override
    public synchronized ModelVersion register(ModelVersion version) {
        return versions.computeIfAbsent(version.version(), v -> version);
    }

    @Override
    public synchronized Optional<ModelVersion> find(String version) {
        return Optional.ofNullable(versions.get(version));
    }

    @Override
    public synchronized Optional<PromotedModel> promoted() {
        return Optional.ofNullable(promoted);
    }

    @Override
    public synchronized boolean promote(PromotedModel model, String expectedVersion) {
        String current = promoted == null ? null : promoted.version();
        if (!Objects.equals(current, expectedVersion)) {
            return false;
        }
        promoted = model;
        promotions++;
        return true;
    }
}
