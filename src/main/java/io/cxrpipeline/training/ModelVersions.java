package io.cxrpipeline.training;

import java.util.Optional;

import io.cxrpipeline.training.ModelVersion;
import io.cxrpipeline.training.PromotedModel;

/** Model versions and the promoted pointer. Writes are conditional: registering twice or racing is harmless. */
public interface ModelVersions {

    /** Stores a version unless one of that name exists; returns the stored version either way. */
    ModelVersion register(ModelVersion version);

    Optional<ModelVersion> find(String version);

    Optional<PromotedModel> promoted();

    /**
     * Points the registry at a model, provided the pointer still names {@code expectedVersion}
     * (null: provided there is no pointer yet).
     *
     * @return false when another writer moved the pointer first
     */
    boolean promote(PromotedModel model, String expectedVersion);
}
